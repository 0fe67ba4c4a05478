import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_RETRANSMISSIONS, movedConnection, type MovedConnectionEvidence } from '../../src/detect/moved-connection.js';
import type { FindingOf } from '../../src/detect/findings.js';
import { ip4, macNum } from '../support/decode.js';
import { PLAN, planConfig, runDetector, segmentFrame, type TestFrame } from '../support/detect.js';
import { TCP_FLAGS } from '../support/frame-builder.js';

const { anycastMac, gw1, gw2, c1, server } = PLAN;
const { SYN, ACK, PSH, RST } = TCP_FLAGS;
const CPORT = 40001;
const SPORT = 443;

/** c1 → server, sent to `via` (the anycast MAC or a gateway's bridge MAC). */
function up(via: string, flags: number, seq: number, bytes: number, t: number): TestFrame {
  return segmentFrame({ ethSrc: c1.mac, ethDst: via, src: c1.ip, dst: server, sport: CPORT, dport: SPORT, flags, seq, bytes }, t);
}

/** server → c1, from `from` (a gateway's bridge MAC). */
function down(from: string, flags: number, seq: number, bytes: number, t: number): TestFrame {
  return segmentFrame({ ethSrc: from, ethDst: c1.mac, src: server, dst: c1.ip, sport: SPORT, dport: CPORT, flags, seq, bytes }, t);
}

/** A connection to the anycast MAC, set up and answered through gw1. */
const THROUGH_GW1: readonly TestFrame[] = [
  up(anycastMac, SYN, 1000, 0, 1),
  down(gw1.mac, SYN | ACK, 5000, 0, 1.01),
  up(anycastMac, ACK, 1001, 0, 1.02),
  up(anycastMac, PSH | ACK, 1001, 100, 1.03),
  down(gw1.mac, PSH | ACK, 5001, 600, 1.04),
];

function run(frames: readonly TestFrame[]) {
  return runDetector(movedConnection, planConfig({ gateways: true }), frames);
}

test('a connection answered through gw1, then reset through gw2, is moved-connection on gw2 (from gw1), cause NAT state lost', () => {
  const r = run([...THROUGH_GW1, up(anycastMac, PSH | ACK, 1101, 100, 3), down(gw2.mac, RST, 5601, 0, 3.01)]);
  assert.equal(r.findings.length, 1);
  const f = r.findings[0] as FindingOf<MovedConnectionEvidence>;
  assert.equal(f.kind, 'moved-connection');
  assert.equal(f.cause, 'moved-nat-state-lost');
  assert.equal(f.severity, 'warning');
  assert.deepEqual([r.ctx.gateways.get(f.gateway).name, r.ctx.gateways.get(f.otherGateway).name], ['gw2', 'gw1']);
  assert.equal(f.mac, macNum(gw2.mac));
  assert.deepEqual(f.clientMacs, [macNum(c1.mac)]);
  assert.deepEqual(f.frames, [7]);
  const e = f.evidence;
  assert.deepEqual([e.client, e.server, e.clientPort, e.serverPort], [ip4(c1.ip), ip4(server), CPORT, SPORT]);
  assert.deepEqual([e.switchFrame, e.resets, e.retransmissions, e.repliesAfterSwitch], [7, 1, 0, 0]);
});

test('a connection that moves to gw2 and goes on being answered there is no moved-connection (gateway-switch reports the move)', () => {
  const r = run([...THROUGH_GW1, up(anycastMac, PSH | ACK, 1101, 100, 3), down(gw2.mac, PSH | ACK, 5601, 600, 3.01), down(gw2.mac, RST, 6201, 0, 4)]);
  assert.deepEqual(r.findings, []);
});

test('a connection reset through the gateway that carried it all along is no finding', () => {
  const r = run([...THROUGH_GW1, up(anycastMac, PSH | ACK, 1101, 100, 3), down(gw1.mac, RST, 5601, 0, 3.01)]);
  assert.deepEqual(r.findings, []);
});

/** The same connection through gw1's bridge MAC (a client pinned to gw1). */
const PINNED_GW1: readonly TestFrame[] = [
  up(gw1.mac, SYN, 1000, 0, 1),
  down(gw1.mac, SYN | ACK, 5000, 0, 1.01),
  up(gw1.mac, ACK, 1001, 0, 1.02),
  up(gw1.mac, PSH | ACK, 1001, 100, 1.03),
  down(gw1.mac, PSH | ACK, 5001, 600, 1.04),
];

test('a client that moves its connection to gw2 and sends the same segment again with no answer is moved-connection, cause dropped', () => {
  const r = run([
    ...PINNED_GW1,
    up(gw2.mac, PSH | ACK, 1101, 100, 30),
    up(gw2.mac, PSH | ACK, 1101, 100, 30.2),
    up(gw2.mac, PSH | ACK, 1101, 100, 30.6),
    up(gw2.mac, PSH | ACK, 1101, 100, 31.4),
  ]);
  assert.equal(r.findings.length, 1);
  const f = r.findings[0] as FindingOf<MovedConnectionEvidence>;
  assert.equal(f.cause, 'moved-connection-dropped');
  assert.deepEqual([r.ctx.gateways.get(f.gateway).name, r.ctx.gateways.get(f.otherGateway).name], ['gw2', 'gw1']);
  assert.equal(f.mac, macNum(gw2.mac));
  assert.deepEqual(f.frames, [9]);
  const e = f.evidence;
  assert.deepEqual([e.switchFrame, e.resets, e.retransmissions, e.repliesAfterSwitch], [6, 0, 3, 0]);
  assert.equal(e.silentSeconds, 1.4);
});

test(`a moved connection sent again fewer than ${MIN_RETRANSMISSIONS} times, or answered, is not dropped`, () => {
  const once = run([...PINNED_GW1, up(gw2.mac, PSH | ACK, 1101, 100, 30), up(gw2.mac, PSH | ACK, 1101, 100, 30.2)]);
  assert.deepEqual(once.findings, []);
  const answered = run([
    ...PINNED_GW1,
    up(gw2.mac, PSH | ACK, 1101, 100, 30),
    up(gw2.mac, PSH | ACK, 1101, 100, 30.2),
    up(gw2.mac, PSH | ACK, 1101, 100, 30.6),
    down(gw2.mac, ACK, 5601, 0, 30.61),
  ]);
  assert.deepEqual(answered.findings, []);
});

test('a connection that stalls without moving (the client sends again to gw1, nothing answers) is no finding', () => {
  const r = run([
    ...PINNED_GW1,
    up(gw1.mac, PSH | ACK, 1101, 100, 3),
    up(gw1.mac, PSH | ACK, 1101, 100, 3.2),
    up(gw1.mac, PSH | ACK, 1101, 100, 3.6),
    up(gw1.mac, PSH | ACK, 1101, 100, 4.4),
  ]);
  assert.deepEqual(r.findings, []);
});

/** A client pinned to gw1 (sends to its bridge MAC), answered from gw2's: an asymmetric path, not a move. */
const ASYMMETRIC: readonly TestFrame[] = [
  up(gw1.mac, SYN, 1000, 0, 1),
  down(gw2.mac, SYN | ACK, 5000, 0, 1.01),
  up(gw1.mac, ACK, 1001, 0, 1.02),
  up(gw1.mac, PSH | ACK, 1001, 100, 1.03),
  down(gw2.mac, PSH | ACK, 5001, 600, 1.04),
];

test("a client pinned to gw1 and answered by gw2 (asymmetric) is no switch, so neither is the connection's reset", () => {
  const r = run([...ASYMMETRIC, up(gw1.mac, PSH | ACK, 1101, 100, 2), down(gw2.mac, RST, 5601, 0, 2.01)]);
  assert.deepEqual(r.findings, []);
});

test('a client answered by gw2 while it sends to gw1 (asymmetric), then moved to gw2 with no answer, is dropped: the move is its own side changing', () => {
  const r = run([...ASYMMETRIC, up(gw2.mac, PSH | ACK, 1101, 100, 30), up(gw2.mac, PSH | ACK, 1101, 100, 30.2), up(gw2.mac, PSH | ACK, 1101, 100, 30.6)]);
  assert.deepEqual(
    r.findings.map((f) => [f.cause, r.ctx.gateways.get(f.gateway).name, r.ctx.gateways.get(f.otherGateway).name]),
    [['moved-connection-dropped', 'gw2', 'gw1']],
  );
});

test('pure ACKs, which all carry the same sequence number, are not segments sent again', () => {
  const r = run([
    ...PINNED_GW1,
    up(gw2.mac, ACK, 1101, 0, 30),
    up(gw2.mac, ACK, 1101, 0, 30.2),
    up(gw2.mac, ACK, 1101, 0, 30.6),
    up(gw2.mac, ACK, 1101, 0, 31.4),
  ]);
  assert.deepEqual(r.findings, []);
});
