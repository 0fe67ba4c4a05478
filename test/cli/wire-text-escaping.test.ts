import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../../src/source/pcap-writer.js';
import { DHCP_MESSAGE, dhcpFrame } from '../support/frame-builder.js';
import { arpFrame, PLAN } from '../support/detect.js';
import { jsonLines, runCli } from '../support/run-cli.js';

/**
 * Strings from the wire reach a terminal only escaped: a DHCP host or domain
 * name carrying ANSI escapes (clear screen, set the window title), CR/LF
 * that would forge a line, BEL, NUL, DEL and 8-bit bytes (0x9b is a CSI on
 * 8-bit terminals) goes through `frames` (text, JSON) and `analyze` (text,
 * JSON), and what they write holds none of it raw.
 */

const { anycastIp, anycastMac, gw1, gw2, c1 } = PLAN;

const HOST_NAME = Buffer.concat([Buffer.from('evil\x1b[2J\x1b]0;pwned\x07\r\nFAKE LINE\x00'), Buffer.from([0x9b, 0x7f, 0xff]), Buffer.from('\\x1b')]);
const HOST_NAME_SHOWN = 'evil\\x1b[2J\\x1b]0;pwned\\x07\\x0d\\x0aFAKE LINE\\x00\\x9b\\x7f\\xff\\\\x1b';
const DOMAIN_NAME = Buffer.from('mesh\x1b[31m.local\n');
const DOMAIN_NAME_SHOWN = 'mesh\\x1b[31m.local\\x0a';

/** Control characters, DEL, C1, line/paragraph separators, bidi controls and U+FFFD (a raw byte that was not UTF-8): none may be written. Tab and newline are the writer's own. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters in the output is the point.
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffd]/u;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acpdhcp-escapes-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** gw1 offers and acks c1 with the names above (and its own address as router, so analyze has a finding to print); the anycast ARP lets analyze infer the address. */
function writeCapture(): string {
  const offer = (type: number): Buffer =>
    dhcpFrame({
      ethSrc: gw1.mac,
      ethDst: c1.mac,
      src: gw1.ip,
      dst: c1.ip,
      message: { type, xid: 0x0e5c, chaddr: c1.mac, yiaddr: c1.ip, serverId: gw1.ip, routers: [gw1.ip], hostName: HOST_NAME, domainName: DOMAIN_NAME },
    });
  const frames = [
    offer(DHCP_MESSAGE.OFFER),
    offer(DHCP_MESSAGE.ACK),
    arpFrame({ op: 'request', sha: c1.mac, spa: c1.ip, tpa: anycastIp }, 0).bytes,
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 0).bytes,
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 0).bytes,
    arpFrame({ op: 'request', sha: gw2.mac, spa: gw2.ip, tpa: c1.ip }, 0).bytes,
  ];
  const w = new PcapWriter({ linkType: 1 });
  const file = path.join(dir, 'dhcp-escapes.pcap');
  fs.writeFileSync(file, Buffer.concat([w.header(), ...frames.map((f, i) => w.record(1_700_000_000, i * 1_000_000, f, 0, f.length, f.length))]));
  return file;
}

const capture = writeCapture();

function assertHarmless(out: string, what: string): void {
  const bad = UNSAFE.exec(out);
  assert.equal(
    bad,
    null,
    `${what} wrote U+${bad?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} at ${bad?.index}: ${JSON.stringify(out.slice(Math.max(0, (bad?.index ?? 0) - 40), (bad?.index ?? 0) + 10))}`,
  );
}

test('frames prints each DHCP frame on one line with its host and domain names escaped', () => {
  const r = runCli(['frames', capture]);
  assert.equal(r.status, 0, r.stderr);
  assertHarmless(r.stdout, 'frames');
  assertHarmless(r.stderr, 'frames (stderr)');
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 6, 'one line per frame: no forged line');
  const dhcp = lines.filter((l) => l.includes('BOOTP/DHCP'));
  assert.equal(dhcp.length, 2);
  for (const l of dhcp) {
    assert.ok(l.includes(`Hostname "${HOST_NAME_SHOWN}"`), l);
    assert.ok(l.includes(`Domain-Name "${DOMAIN_NAME_SHOWN}"`), l);
  }
});

test('frames --json writes valid JSON, one object per line, with the names as escaped text', () => {
  const r = runCli(['frames', '--json', capture]);
  assert.equal(r.status, 0, r.stderr);
  assertHarmless(r.stdout, 'frames --json');
  const objects = jsonLines(r.stdout);
  assert.equal(objects.length, 6);
  const dhcp = objects.map((o) => o.dhcp as { hostName?: string; domainName?: string } | undefined).filter((d) => d !== undefined);
  assert.deepEqual(
    dhcp.map((d) => [d.hostName, d.domainName]),
    [
      [HOST_NAME_SHOWN, DOMAIN_NAME_SHOWN],
      [HOST_NAME_SHOWN, DOMAIN_NAME_SHOWN],
    ],
  );
});

test('analyze (text and JSON) judges the offers and writes nothing unsafe', () => {
  const text = runCli(['analyze', capture]);
  assert.equal(text.status, 1, text.stderr);
  assertHarmless(text.stdout, 'analyze');
  assert.match(text.stdout, /dhcp-router-not-anycast/);
  const json = runCli(['analyze', '--json', capture]);
  assertHarmless(json.stdout, 'analyze --json');
  const doc = JSON.parse(json.stdout) as { findings: { kind: string }[] };
  assert.deepEqual(doc.findings.map((f) => f.kind).sort(), ['dhcp-router-not-anycast']);
});
