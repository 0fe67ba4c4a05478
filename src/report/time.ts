/** Capture time as operators read it: UTC, with as many fraction digits as the capture's clock has. */

let cachedSec = Number.NaN;
let cachedPrefix = '';

/** "2026-11-25 13:55:11.123456" (the date-time form of tcpdump -tttt, in UTC). */
export function formatCaptureTime(sec: number, nsec: number, digits: number): string {
  if (sec !== cachedSec) {
    cachedSec = sec;
    const iso = new Date(sec * 1000).toISOString();
    cachedPrefix = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  }
  return digits === 0 ? cachedPrefix : `${cachedPrefix}.${fraction(nsec, digits)}`;
}

/** ISO 8601 with Z, full resolution: for JSON. */
export function formatIsoTime(sec: number, nsec: number, digits: number): string {
  const iso = new Date(sec * 1000).toISOString().slice(0, 19);
  return digits === 0 ? `${iso}Z` : `${iso}.${fraction(nsec, digits)}Z`;
}

function fraction(nsec: number, digits: number): string {
  return String(nsec).padStart(9, '0').slice(0, digits);
}

/** Seconds as a decimal string with the clock's digits, exact (no float rounding). */
export function formatEpoch(sec: number, nsec: number, digits: number): string {
  return digits === 0 ? String(sec) : `${sec}.${fraction(nsec, digits)}`;
}
