import type { Argv, CommandModule } from 'yargs';
import { jsonText } from '../../report/json-text.js';
import { DETECTORS } from '../../detect/registry.js';
import { detectorJson, detectorListText } from '../../report/detector-list.js';
import { ExitCode, type ExitCodeValue } from '../exit-code.js';
import { LineWriter, OutputClosed } from '../output.js';
import { useColor } from '../terminal.js';

export interface DetectorsOptions {
  json: boolean;
}

export function runDetectors(opts: DetectorsOptions): ExitCodeValue {
  const out = new LineWriter(1);
  try {
    out.line(opts.json ? jsonText(DETECTORS.map(detectorJson), 2) : detectorListText(DETECTORS, useColor(1)));
    out.flush();
  } catch (err) {
    if (!(err instanceof OutputClosed)) throw err;
  }
  return ExitCode.ok;
}

export const detectorsCommand: CommandModule<object, DetectorsOptions> = {
  command: 'detectors',
  describe: 'list the detectors: what each finds, the finding kinds it raises, what it reads, where it is documented',
  builder: (y: Argv) => y.option('json', { type: 'boolean', default: false, describe: 'as a JSON array' }) as unknown as Argv<DetectorsOptions>,
  handler: (argv) => {
    process.exitCode = runDetectors(argv);
  },
};
