import type { Argv } from 'yargs';
import { UsageError } from '../core/errors.js';
import { checkDuration, checkFrameCount } from './bounds.js';

/** Output and bounds shared by the live commands (watch, replay). */
export function liveOutputBuilder<T>(y: Argv<T>): Argv<T> {
  return y
    .option('json', { type: 'boolean', default: false, describe: 'at the end, the analysis document (as analyze --json)' })
    .option('ndjson', { type: 'boolean', default: false, describe: 'one JSON object per finding as it appears, periodic stats, the report last' })
    .option('duration', { type: 'number', default: 0, describe: 'stop after this many seconds' })
    .option('count', { alias: 'c', type: 'number', default: 0, describe: 'stop after this many frames' })
    .option('write', { alias: 'w', type: 'string', describe: 'also write the frames to this pcap file' })
    .check((argv) => {
      if (argv.json === true && argv.ndjson === true) throw new UsageError('--json and --ndjson exclude each other: pick one');
      checkFrameCount(argv.count);
      checkDuration(argv.duration);
      return true;
    }) as Argv<T>;
}
