import { Session } from 'node:inspector';

/**
 * Which blocks of our own code (dist/src) an input reached, from V8's
 * precise block coverage through node:inspector — the coverage signal the
 * fuzzer keeps inputs by, without instrumenting the code.
 *
 * V8 in binary mode reports a function that ran as one range with count 1
 * and, nested in it, every block that did not run with count 0; blocks that
 * ran are merged into their parent and not listed. So a block is learned
 * the first time it is reported not run, and is covered by an input when
 * its function ran and the block is not in that input's list of blocks not
 * run. Each take also resets the counts, so a take is one input's coverage.
 */
export class BlockCoverage {
  private readonly session = new Session();
  /** Per function ("script:start"), its blocks as "start:end", learned as they are reported not run. */
  private readonly blocks = new Map<string, Set<string>>();
  /** "script:start" or "script:start:blockStart:blockEnd" ever covered. */
  private readonly covered = new Set<string>();
  /** Every function of the included scripts V8 reported, run or not, and those that ran. */
  private readonly functions = new Set<string>();
  private readonly functionsRun = new Set<string>();
  private readonly include: (url: string) => boolean;

  constructor(include: (url: string) => boolean) {
    this.include = include;
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });
  }

  /** Blocks (functions included) covered at least once so far. */
  get size(): number {
    return this.covered.size;
  }

  /** Functions of our code that ran at least once, of those loaded: a coarse share of the code reached. */
  get functionShare(): { run: number; loaded: number } {
    return { run: this.functionsRun.size, loaded: this.functions.size };
  }

  /** Forget what ran since the last take (module loading, a seed's warm-up…). */
  reset(): void {
    this.post('Profiler.takePreciseCoverage');
  }

  /** How many blocks the input run since the last take reached for the first time. */
  take(): number {
    const { result } = this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] };
    let fresh = 0;
    for (const script of result) {
      if (!this.include(script.url)) continue;
      for (const fn of script.functions) {
        const top = fn.ranges[0];
        if (top === undefined) continue;
        const key = `${script.scriptId}:${top.startOffset}`;
        this.functions.add(key);
        if (top.count === 0) continue;
        this.functionsRun.add(key);
        if (!this.covered.has(key)) {
          this.covered.add(key);
          fresh++;
        }
        let known = this.blocks.get(key);
        if (known === undefined) {
          known = new Set();
          this.blocks.set(key, known);
        }
        const notRun = new Set<string>();
        for (let i = 1; i < fn.ranges.length; i++) {
          const r = fn.ranges[i]!;
          if (r.count !== 0) continue;
          const block = `${r.startOffset}:${r.endOffset}`;
          notRun.add(block);
          known.add(block);
        }
        for (const block of known) {
          if (notRun.has(block) || isInside(block, notRun)) continue;
          const k = `${key}:${block}`;
          if (!this.covered.has(k)) {
            this.covered.add(k);
            fresh++;
          }
        }
      }
    }
    return fresh;
  }

  close(): void {
    this.post('Profiler.stopPreciseCoverage');
    this.session.disconnect();
  }

  /** An in-thread session answers synchronously: the callback has run when post returns. */
  private post(method: string, params: object = {}): unknown {
    let answer: unknown;
    let failure: Error | null = null;
    this.session.post(method, params, (err: Error | null, res?: unknown) => {
      failure = err;
      answer = res;
    });
    if (failure !== null) throw failure;
    return answer;
  }
}

/** A block nested in one that did not run did not run either (V8 lists only the outer one). */
function isInside(block: string, notRun: Set<string>): boolean {
  if (notRun.size === 0) return false;
  const [s, e] = block.split(':').map(Number) as [number, number];
  for (const other of notRun) {
    const [os, oe] = other.split(':').map(Number) as [number, number];
    if (os <= s && e <= oe) return true;
  }
  return false;
}

interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[];
}
