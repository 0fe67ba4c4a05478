#!/usr/bin/env node
// Writes a pcap to stdout with its records repeated: the 24-byte global header
// once, then the body (everything after it) TIMES times, read from disk each
// time in 1 MiB chunks. Used by bench/memory.sh to feed multi-gigabyte input
// through a pipe without writing a big file.
//
//   node bench/repeat-pcap.mjs FILE.pcap TIMES | bin/anycast-probe frames - -q
import { createReadStream } from 'node:fs';
import { once } from 'node:events';

const [file, timesArg] = process.argv.slice(2);
const times = Number(timesArg);
if (file === undefined || !Number.isInteger(times) || times < 1) {
  process.stderr.write('usage: repeat-pcap.mjs FILE.pcap TIMES\n');
  process.exit(2);
}
process.stdout.on('error', (err) => {
  // The reader stopped early (EPIPE): nothing more to do.
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

async function copy(start, end) {
  for await (const chunk of createReadStream(file, { start, end, highWaterMark: 1 << 20 })) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
}

await copy(0, 23);
for (let i = 0; i < times; i++) await copy(24, undefined);
