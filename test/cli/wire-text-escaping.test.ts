import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PcapWriter } from '../../src/source/pcap-writer.js';
import { DHCP_MESSAGE, dhcpFrame, LINKTYPE } from '../support/frame-builder.js';
import { arpFrame, PLAN } from '../support/detect.js';
import { PCAPNG_OPTION, PcapngBuilder } from '../support/pcapng-writer.js';
import { createVethNamespace, removeNamespace } from '../support/netns.js';
import { cliPath, repoRoot } from '../support/paths.js';
import { jsonLines, runCli } from '../support/run-cli.js';

/**
 * Strings from the wire reach a terminal only escaped: a DHCP host or domain
 * name carrying ANSI escapes (clear screen, set the window title), CR/LF
 * that would forge a line, BEL, NUL, DEL and 8-bit bytes (0x9b is a CSI on
 * 8-bit terminals) goes through `frames` (text, JSON) and `analyze` (text,
 * JSON), and what they write holds none of it raw. The same goes for the
 * text fields of a pcapng (section and interface options, comments) and for
 * file names chosen by someone else, through analyze, frames and replay:
 * text, JSON and NDJSON; JSON always parses, and gives the name back.
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
function captureFrames(hostName: Buffer = HOST_NAME): Buffer[] {
  const offer = (type: number): Buffer =>
    dhcpFrame({
      ethSrc: gw1.mac,
      ethDst: c1.mac,
      src: gw1.ip,
      dst: c1.ip,
      message: { type, xid: 0x0e5c, chaddr: c1.mac, yiaddr: c1.ip, serverId: gw1.ip, routers: [gw1.ip], hostName, domainName: DOMAIN_NAME },
    });
  return [
    offer(DHCP_MESSAGE.OFFER),
    offer(DHCP_MESSAGE.ACK),
    arpFrame({ op: 'request', sha: c1.mac, spa: c1.ip, tpa: anycastIp }, 0).bytes,
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 0).bytes,
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 0).bytes,
    arpFrame({ op: 'request', sha: gw2.mac, spa: gw2.ip, tpa: c1.ip }, 0).bytes,
  ];
}

function writeCapture(name = 'dhcp-escapes.pcap', frames = captureFrames()): string {
  const w = new PcapWriter({ linkType: 1 });
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([w.header(), ...frames.map((f, i) => w.record(1_700_000_000, i * 1_000_000, f, 0, f.length, f.length))]));
  return file;
}

const capture = writeCapture();

/** A file name someone else chose: ESC sequences (colour, clear screen, window title), CR/LF, BEL, a C1 CSI and a bidi override. */
const EVIL_NAME = 'cap\x1b[2J\x1b]0;pwned\x07\r\nFAKE: all good\u009b31m\u202egol.pcap';

/** Every text field a pcapng has (section hardware/OS/application, interface name and description, comments on each block) with escapes and newlines in it. */
function writePcapng(name: string): string {
  const evil = (s: string): Buffer => Buffer.from(`${s}\x1b[2J\x1b]0;optpwn\x07\r\nOPTSPOOF\u009b\u202e`);
  const b = new PcapngBuilder().shb({
    options: [
      { code: PCAPNG_OPTION.COMMENT, value: evil('section comment') },
      { code: PCAPNG_OPTION.SHB_HARDWARE, value: evil('hardware') },
      { code: PCAPNG_OPTION.SHB_OS, value: evil('os') },
      { code: PCAPNG_OPTION.SHB_USERAPPL, value: evil('application') },
    ],
  });
  const id = b.idb({
    linkType: LINKTYPE.ETHERNET,
    name: 'br-\x1b[31mfftr\n',
    options: [
      { code: PCAPNG_OPTION.COMMENT, value: evil('interface comment') },
      { code: 3, value: evil('if_description') },
    ],
  });
  captureFrames().forEach((data, i) => {
    b.epb({
      interfaceId: id,
      tsSec: 1_700_000_000,
      tsNsec: i * 1_000_000,
      data,
      options: [{ code: PCAPNG_OPTION.COMMENT, value: evil(`frame ${i} comment`) }],
    });
  });
  const file = path.join(dir, name);
  fs.writeFileSync(file, b.build());
  return file;
}

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

/** Runs the built CLI with colour forced on, as on a terminal. */
function runColoured(args: string[]): { status: number; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '1' };
  delete env.NO_COLOR;
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, env, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: chalk's colour sequences are the one escape allowed.
const SGR = /\x1b\[[0-9;]*m/g;

/** The output's name for a file: the path the JSON gives back is the path we chose. */
function inputOf(doc: unknown): unknown {
  return (doc as { input?: unknown }).input;
}

test('a file name with escapes, CR/LF, a C1 CSI and a bidi override reaches no terminal raw: analyze, frames and replay, text and JSON', () => {
  const evil = writeCapture(EVIL_NAME);
  const runs: [string, string[]][] = [
    ['analyze', ['analyze', evil]],
    ['analyze --json', ['analyze', '--json', evil]],
    ['frames', ['frames', evil]],
    ['frames --json', ['frames', '--json', evil]],
    ['replay --fast', ['replay', '--fast', evil]],
    ['replay --fast --json', ['replay', '--fast', '--json', evil]],
    ['replay --fast --ndjson', ['replay', '--fast', '--ndjson', evil]],
  ];
  for (const [what, args] of runs) {
    const r = runCli(args);
    assert.ok(r.status === 0 || r.status === 1, `${what}: exit ${r.status}: ${r.stderr}`);
    assertHarmless(r.stdout, what);
    assertHarmless(r.stderr, `${what} (stderr)`);
    for (const line of r.stderr.split('\n').filter((l) => l !== '')) assert.match(line, /^anycast-probe: /, `${what}: a forged stderr line: ${line}`);
  }
  const json = runCli(['analyze', '--json', evil]);
  assert.equal(inputOf(JSON.parse(json.stdout)), evil, 'the JSON gives the name back exactly');
  const replayed = runCli(['replay', '--fast', '--json', evil]);
  assert.equal(inputOf(JSON.parse(replayed.stdout)), evil);
  const ndjson = jsonLines(runCli(['replay', '--fast', '--ndjson', evil]).stdout);
  const report = ndjson.find((o) => o.type === 'report') as { report: unknown } | undefined;
  assert.equal(inputOf(report?.report), evil);
  const frames = runCli(['frames', evil]);
  assert.equal(frames.stdout.split('\n').filter((l) => l !== '').length, 6, 'frames: still one line per frame');
});

test('a capture cut short under a hostile name: the error line and the JSON error field are escaped, and the JSON still parses', () => {
  const whole = fs.readFileSync(writeCapture(EVIL_NAME));
  const cut = path.join(dir, `cut-${EVIL_NAME}`);
  fs.writeFileSync(cut, whole.subarray(0, whole.length - 7));
  const r = runCli(['analyze', '--json', cut]);
  assert.equal(r.status, 2, r.stderr);
  assertHarmless(r.stdout, 'analyze --json (cut)');
  assertHarmless(r.stderr, 'analyze --json (cut, stderr)');
  const doc = JSON.parse(r.stdout) as { error: string | null };
  assert.match(doc.error ?? '', /byte \d+/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('every text field of a pcapng (section, interface and frame comments, hardware, OS, application, interface name and description) stays out of the output', () => {
  const file = writePcapng('options-escapes.pcapng');
  for (const args of [
    ['analyze', file],
    ['analyze', '--json', file],
    ['frames', file],
    ['frames', '--json', file],
    ['replay', '--fast', '--ndjson', file],
  ]) {
    const r = runCli(args);
    assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    assertHarmless(r.stdout, args.join(' '));
    assertHarmless(r.stderr, `${args.join(' ')} (stderr)`);
    assert.doesNotMatch(r.stdout, /optpwn|OPTSPOOF|hardware|section comment/, `${args.join(' ')}: a pcapng text field was printed`);
    if (args.includes('--json')) {
      if (args[0] === 'frames') assert.equal(jsonLines(r.stdout).length, 6);
      else JSON.parse(r.stdout);
    }
  }
});

test('with colour forced on, the only escape sequences written are colours: never one from the wire or a file name', () => {
  const evil = writeCapture(EVIL_NAME);
  for (const args of [
    ['analyze', evil],
    ['frames', evil],
    ['replay', '--fast', evil],
  ]) {
    const r = runColoured(args);
    assert.ok(r.status === 0 || r.status === 1, `${args[0]}: exit ${r.status}: ${r.stderr}`);
    assertHarmless(r.stdout.replace(SGR, ''), `${args[0]} (colour)`);
    assertHarmless(r.stderr.replace(SGR, ''), `${args[0]} (colour, stderr)`);
  }
  assert.match(runColoured(['analyze', evil]).stdout, SGR, 'colour is on: the check above saw real colour sequences');
});

test('a 255-byte host name shows its first 64 bytes on the frame line and all of them in JSON; a 3000-character path is one short stderr line', () => {
  const long = Buffer.alloc(255, 0x1b);
  const file = writeCapture('long-name.pcap', captureFrames(long));
  const text = runCli(['frames', file]);
  assertHarmless(text.stdout, 'frames (long name)');
  const line = text.stdout.split('\n').find((l) => l.includes('Hostname')) ?? '';
  assert.ok(line.includes(`Hostname "${'\\x1b'.repeat(64)}…(+191 bytes)"`), line.slice(0, 300));
  assert.ok(line.length < 1000, `frame line of ${line.length} characters`);
  const json = jsonLines(runCli(['frames', '--json', file]).stdout);
  assert.equal((json[0]?.dhcp as { hostName?: string } | undefined)?.hostName, '\\x1b'.repeat(255));
  const missing = runCli(['frames', path.join(dir, `\x1b[2J${'n'.repeat(3000)}.pcap`)]);
  assert.equal(missing.status, 2);
  assertHarmless(missing.stderr, 'frames (long path)');
  assert.equal(missing.stderr.split('\n').filter((l) => l !== '').length, 1);
  assert.ok(missing.stderr.length < 1000, `stderr line of ${missing.stderr.length} characters`);
  assert.match(missing.stderr, /characters left out/);
});

/** Linux allows an escape sequence in an interface name (only '/', ':', whitespace are refused); creating one needs root. */
const EVIL_IFACE = 'c\x1b[7m0';
const ns = `acpsafe-${process.pid}`;
const rootOnly = process.getuid?.() === 0 ? false : 'needs root (a namespace with an interface of that name)';

test('an interface named with an escape sequence reaches probe and watch output escaped, and iproute2 output naming it still parses', {
  skip: rootOnly,
  timeout: 60_000,
}, () => {
  createVethNamespace(ns, EVIL_IFACE);
  try {
    const inNs = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, cliPath, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/^Warning: .*\n/gm, '') };
    };
    const anycast = ['--anycast-ip', '10.99.0.10', '--anycast-mac', '02:ca:fe:00:00:01'];
    const probe = inNs(['probe', EVIL_IFACE, '--source-ip', '10.99.0.2', '--count', '1', '--timeout', '0.2', ...anycast]);
    assert.equal(probe.status, 1, probe.stderr);
    assertHarmless(probe.stdout, 'probe');
    assertHarmless(probe.stderr, 'probe (stderr)');
    assert.ok(probe.stdout.includes('on c\\x1b[7m0 from'), probe.stdout);
    const watch = inNs(['watch', EVIL_IFACE, '--duration', '1', ...anycast]);
    assert.equal(watch.status, 0, watch.stderr);
    assertHarmless(watch.stdout, 'watch');
    assertHarmless(watch.stderr, 'watch (stderr)');
    assert.match(watch.stderr, /^anycast-probe: c\\x1b\[7m0: \d+ frames analysed/m);
  } finally {
    removeNamespace(ns);
  }
});
