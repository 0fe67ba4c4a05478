/**
 * pcapng timestamps are 64-bit counts of 1/unitsPerSecond units. A double
 * holds only 53 bits, and nanoseconds since 1970 need 61, so the division
 * is done in 16-bit steps where every intermediate stays exact, writing the
 * result into `out` (no allocation per frame).
 */
export interface SplitTime {
  sec: number;
  nsec: number;
}

const TWO_16 = 65536;
const TWO_32 = 4294967296;

export function splitTimestamp(high: number, low: number, unitsPerSecond: number, out: SplitTime): void {
  if (unitsPerSecond > 1e9) {
    // Sub-nanosecond clocks: exactness is lost beyond 2^53 anyway; keep ns precision where possible.
    const total = high * TWO_32 + low;
    const sec = Math.floor(total / unitsPerSecond);
    out.sec = sec;
    out.nsec = Math.floor(((total - sec * unitsPerSecond) * 1e9) / unitsPerSecond);
    return;
  }
  const d = unitsPerSecond;
  const qh = Math.floor(high / d);
  const rh = high - qh * d;
  const a = rh * TWO_16 + (low >>> 16);
  const qa = Math.floor(a / d);
  const ra = a - qa * d;
  const b = ra * TWO_16 + (low & 0xffff);
  const qb = Math.floor(b / d);
  const rb = b - qb * d;
  out.sec = qh * TWO_32 + qa * TWO_16 + qb;
  out.nsec = d === 1e9 ? rb : Math.floor((rb * 1e9) / d);
}

/** Units per second for a pcapng if_tsresol option byte (RFC draft: bit 7 selects base 2). */
export function tsresolUnits(tsresol: number): number {
  const exponent = tsresol & 0x7f;
  return (tsresol & 0x80) !== 0 ? 2 ** exponent : 10 ** exponent;
}

/** Decimal digits worth printing for a clock with this many units per second. */
export function digitsForUnits(unitsPerSecond: number): number {
  if (unitsPerSecond <= 1) return 0;
  return Math.min(9, Math.ceil(Math.log10(unitsPerSecond) - 1e-9));
}
