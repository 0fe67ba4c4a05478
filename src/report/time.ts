/**
 * Capture time as operators read it: UTC, with as many fraction digits as
 * the capture's clock has. Any time a capture can hold is printed, as
 * tcpdump prints it — negative and five-digit years included (a pcapng
 * if_tsoffset, a corrupt timestamp) — and what cannot be a time is marked,
 * never thrown: one bad timestamp must not cost the frames after it.
 */

const SECONDS_PER_DAY = 86400;
/** tcpdump prints "[Error converting time]" where gmtime's int year overflows; so do we, in our words. */
const MAX_YEAR = 2147483647;
export const INVALID_TIME = '[invalid time]';

let cachedSec = Number.NaN;
let cachedDate = '';
let cachedClock = '';

/** Days since 1970-01-01 → proleptic Gregorian year, month, day (H. Hinnant's civil_from_days, exact in doubles up to 2^53). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Sets the cached date and clock of `sec`; false when it is no time (not finite, or its year overflows). */
function split(sec: number): boolean {
  if (sec === cachedSec) return cachedDate !== '';
  cachedSec = sec;
  cachedDate = '';
  if (!Number.isFinite(sec) || Math.abs(sec) > 2 ** 53) return false;
  const days = Math.floor(sec / SECONDS_PER_DAY);
  const [y, m, d] = civilFromDays(days);
  if (Math.abs(y) > MAX_YEAR) return false;
  const rest = sec - days * SECONDS_PER_DAY;
  const year = y >= 0 ? String(y).padStart(4, '0') : `-${String(-y).padStart(4, '0')}`;
  cachedDate = `${year}-${two(m)}-${two(d)}`;
  cachedClock = `${two(Math.floor(rest / 3600))}:${two(Math.floor((rest % 3600) / 60))}:${two(rest % 60)}`;
  return true;
}

/**
 * The fraction with the clock's digits; a sub-second field out of range
 * (ts_nsec ≥ 10^9, ts_usec ≥ 10^6) is shown whole and marked, where cutting
 * it to the digits would print a different, plausible time.
 */
function fraction(nsec: number, digits: number): string {
  const scaled = Math.floor(nsec / 10 ** (9 - digits));
  if (nsec >= 1e9 || nsec < 0) return `${scaled} (invalid ${digits === 9 ? 'ns' : digits === 6 ? 'us' : 'fraction'})`;
  return String(scaled).padStart(digits, '0');
}

/** "2026-11-25 13:55:11.123456" (the date-time form of tcpdump -tttt, in UTC). */
export function formatCaptureTime(sec: number, nsec: number, digits: number): string {
  if (!split(sec)) return INVALID_TIME;
  const base = `${cachedDate} ${cachedClock}`;
  return digits === 0 ? base : `${base}.${fraction(nsec, digits)}`;
}

/** ISO 8601 with Z, full resolution: for JSON ("[invalid time]" where there is none). */
export function formatIsoTime(sec: number, nsec: number, digits: number): string {
  if (!split(sec)) return INVALID_TIME;
  const base = `${cachedDate}T${cachedClock}`;
  return digits === 0 ? `${base}Z` : `${base}.${fraction(nsec, digits)}Z`;
}

/** Seconds as a decimal string with the clock's digits, exact (no float rounding). */
export function formatEpoch(sec: number, nsec: number, digits: number): string {
  return digits === 0 ? String(sec) : `${sec}.${fraction(nsec, digits)}`;
}
