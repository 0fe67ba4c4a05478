import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCaptureTime, formatEpoch, formatIsoTime, INVALID_TIME } from '../../src/report/time.js';

test('ordinary times print as tcpdump -tttt prints them, in UTC, with the clock digits', () => {
  assert.equal(formatCaptureTime(1700000000, 123456789, 9), '2023-11-14 22:13:20.123456789');
  assert.equal(formatCaptureTime(1700000000, 123456000, 6), '2023-11-14 22:13:20.123456');
  assert.equal(formatIsoTime(0, 0, 6), '1970-01-01T00:00:00.000000Z');
  assert.equal(formatIsoTime(951782400, 0, 0), '2000-02-29T00:00:00Z');
  // Every day of 400 years agrees with Date, leap years included.
  for (let day = -146097; day < 146097; day += 97)
    assert.equal(formatIsoTime(day * 86400 + 3723, 0, 0), `${new Date((day * 86400 + 3723) * 1000).toISOString().slice(0, 19)}Z`);
});

test('years before 0 and after 9999 print as tcpdump prints them; beyond a 32-bit year the time is marked, not thrown', () => {
  assert.equal(formatCaptureTime(-1097811600878, 972672000, 6), '-32819-09-26 05:05:22.972672');
  assert.equal(formatCaptureTime(253402300800, 0, 0), '10000-01-01 00:00:00');
  assert.equal(formatCaptureTime(2 ** 62, 0, 6), INVALID_TIME);
  assert.equal(formatIsoTime(Number.NaN, 0, 6), INVALID_TIME);
});

test('a sub-second field out of range is shown whole and marked, not cut to a plausible time', () => {
  assert.equal(formatCaptureTime(1700000000, 1_000_000_000, 9), '2023-11-14 22:13:20.1000000000 (invalid ns)');
  assert.equal(formatCaptureTime(1700000000, 1_000_000 * 1000, 6), '2023-11-14 22:13:20.1000000 (invalid us)');
  assert.equal(formatEpoch(1700000000, 1_000_000_000, 9), '1700000000.1000000000 (invalid ns)');
});
