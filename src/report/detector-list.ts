import { Chalk } from 'chalk';
import { Layer, layerName } from '../decode/layer.js';
import type { DetectorDefinition } from '../detect/detector.js';

/** One detector as `anycast-probe detectors --json` lists it. */
export interface DetectorJson {
  id: string;
  title: string;
  kinds: string[];
  causes: string[];
  needs: string[];
  docs: string;
  /** false: runs only when asked for with --detectors +ID. */
  onByDefault: boolean;
}

/** The layers a definition's `needs` names, or "every frame". */
function needsNames(needs: number): string[] {
  if (needs === 0) return ['every frame'];
  return Object.values(Layer)
    .filter((l) => l !== 0 && (needs & l) !== 0)
    .map(layerName);
}

export function detectorJson(d: DetectorDefinition): DetectorJson {
  return {
    id: d.id,
    title: d.title,
    kinds: [...d.kinds],
    causes: [...d.causes],
    needs: needsNames(d.needs),
    docs: d.docs,
    onByDefault: d.onByDefault !== false,
  };
}

/** The catalogue, in the order frames visit the detectors: per detector its id and title, then what it raises, reads and where it is documented. */
export function detectorListText(list: readonly DetectorDefinition[], color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const out: string[] = [];
  for (const d of list) {
    const j = detectorJson(d);
    out.push(`${c.bold(j.id)}: ${j.title}`);
    out.push(`    kinds:  ${j.kinds.length > 0 ? j.kinds.join(', ') : c.dim('none (a report table)')}`);
    if (j.causes.length > 0) out.push(`    causes: ${j.causes.join(', ')}`);
    out.push(`    reads:  ${j.needs.join(', ')}`);
    out.push(`    docs:   ${j.docs}`);
    if (!j.onByDefault) out.push(`    off by default: --detectors +${j.id} runs it with the others`);
  }
  out.push('');
  out.push(
    c.dim('Select with --detectors ID[,ID...] (only these; +ID adds one to the default set) or --skip-detectors ID[,ID...] on analyze, watch and replay.'),
  );
  return out.join('\n');
}
