/**
 * A full V8 collection, where node runs with --expose-gc (the bin shim
 * does); elsewhere (tests, `node dist/...`) nothing.
 *
 * Why: with the shim's 1 MiB young generation, what the pass allocates and
 * drops (boxed numbers, findings' scratch) is soon promoted, and sits in
 * the old generation until V8 decides on a full collection; the report is
 * then built beside it. On the 5M bench capture the report phase was the
 * peak of the run: 101-105k KiB without this collection, 93.6-97.4k KiB
 * with it (BENCHMARKS.md, "Peak RSS at the report"). One collection of a
 * heap of ~20 MB takes milliseconds.
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
