import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseOracleCsv } from './support/oracle.js';
import { compareRow, decodeShown } from './support/conformance.js';
import { corpusDir } from './support/paths.js';

/**
 * Every capture of ../shared/corpus decoded by our pipeline and compared,
 * frame by frame and field by field, with what tshark decoded in it
 * (oracle/FILE.tshark.csv: eth src/dst, every ARP field, ICMP type/code/id/
 * seq, ICMPv6 type). A difference fails the test unless it is listed in
 * EXPLAINED with the reason, and an explained difference that disappears
 * fails too, so this table always says exactly where we differ and why.
 */

interface Expectation {
  /** Exact differences ("#frame field: …"), in frame order. */
  diffs?: string[];
  /** The read must end with this error (a regular expression over its message). */
  error?: RegExp;
  /** The file is refused as a whole, so every frame tshark shows is missing from ours. */
  refused?: boolean;
  why: string;
}

const batmanFragments = (frames: number[]): string[] => frames.map((n) => `#${n} frame missing from our output`);

const EXPLAINED: Record<string, Expectation> = {
  'tcpdump__arp-oobr.pcap': {
    diffs: ['#1166 extra: shown by us, not by tshark'],
    why: 'frame 1166 has ARP hardware type 19 (ATM): tshark dissects it as ATMARP, which its "arp" display filter does not match; tcpdump prints it as ARP ([|arp]) and so do we.',
  },
  'tcpdump__ipoib.pcap': {
    error: /link type 242 is not supported/,
    refused: true,
    why: 'IP-over-InfiniBand (link type 242) has no Ethernet addresses and never carries a batman-adv mesh: anycast-probe refuses the file with a one-line error instead of guessing.',
  },
  'tcpdump__arcnet-rfc1201-arp-icmp-http.pcap': {
    error: /link type 129 is not supported/,
    refused: true,
    why: 'Linux ARCNET (link type 129) cannot carry an Ethernet anycast gateway; refused with a one-line error.',
  },
  'tcpdump__unsupported-link-type-160.pcap': {
    error: /link type 160 is not supported/,
    why: 'link type 160 is unsupported by tcpdump and tshark as well.',
  },
  'libpcap__pcap-invalid-version-1.pcap': { error: /unsupported pcap version 1\.4/, why: 'corrupt header: tcpdump and tshark refuse it too.' },
  'libpcap__pcapng-invalid-vers-1.pcapng': { error: /unsupported pcapng section version 0\.1/, why: 'corrupt header: tcpdump and tshark refuse it too.' },
  'libpcap__shb-option-too-long.pcapng': {
    error: /block total length in header \(32\) and trailer \(\d+\) don't match/,
    why: "corrupt section header whose option runs past it: libpcap (so tcpdump) checks neither the first section header's options nor its trailer, and stops at the interface block's trailer mismatch after it; so does anycast-probe.",
  },
  'batman-adv__batman-adv-15-iv.pcap': {
    diffs: batmanFragments([42, 44, 46, 48, 50, 52]),
    why: 'tshark reassembles batman-adv unicast fragments (type 0x41) and shows the ICMPv6 echo on the last fragment; anycast-probe decodes unicast, 4-address unicast and broadcast packets but does not reassemble fragments (per-flow buffers for traffic anycast checks do not need).',
  },
  'batman-adv__batman-adv-15-v.pcap': {
    diffs: batmanFragments([48, 50, 52, 54, 56, 58]),
    why: 'as batman-adv-15-iv: fragments are not reassembled.',
  },
};

interface ManifestEntry {
  file: string;
  packetCount: number | undefined;
}

function readManifest(): ManifestEntry[] {
  const lines = fs.readFileSync(path.join(corpusDir, 'MANIFEST.tsv'), 'utf8').split('\n');
  const header = lines[0]!.split('\t');
  const countAt = header.indexOf('packet_count');
  return lines
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const cols = l.split('\t');
      const count = Number(cols[countAt]);
      return { file: cols[0]!, packetCount: Number.isFinite(count) ? count : undefined };
    });
}

const haveCorpus = fs.existsSync(path.join(corpusDir, 'MANIFEST.tsv'));

if (!haveCorpus) {
  test('corpus conformance against tcpdump/tshark', {
    skip: `no corpus at ${corpusDir} (it sits beside the clone in this project's CI; set ANYCAST_PROBE_CORPUS to point elsewhere)`,
  }, () => {});
} else {
  for (const entry of readManifest()) {
    test(`decodes ${entry.file} field by field as tshark does, or as EXPLAINED says`, async () => {
      const expectation = EXPLAINED[entry.file] ?? { why: 'no known difference' };
      const rows = parseOracleCsv(fs.readFileSync(path.join(corpusDir, 'oracle', `${entry.file}.tshark.csv`), 'utf8'));
      const { frames, error, total } = await decodeShown(path.join(corpusDir, entry.file));
      if (expectation.error === undefined) {
        assert.equal(error, undefined, `unexpected read error: ${String(error)}`);
        if (entry.packetCount !== undefined) assert.equal(total, entry.packetCount, 'every frame of the capture is read');
      } else {
        assert.match(error instanceof Error ? error.message : String(error), expectation.error);
      }
      const diffs: string[] = [];
      const inOracle = new Set<number>();
      for (const row of rows) {
        inOracle.add(row.frame);
        for (const d of compareRow(row, frames.get(row.frame))) diffs.push(`#${row.frame} ${d}`);
      }
      for (const n of frames.keys()) if (!inOracle.has(n)) diffs.push(`#${n} extra: shown by us, not by tshark`);
      const expected = expectation.refused === true ? rows.map((r) => `#${r.frame} frame missing from our output`) : (expectation.diffs ?? []);
      if (expectation.refused === true) assert.ok(rows.length > 0, 'tshark decoded frames we refuse');
      assert.deepEqual(diffs, expected, `differences from tshark (${expectation.why})`);
      if (rows.length > 0 && expectation.error === undefined) assert.ok(frames.size > 0, 'frames were compared');
    });
  }
}
