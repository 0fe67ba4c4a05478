import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doctorText, escapeTerminal } from '../../src/report/doctor-text.js';
import { doctorOn, recording } from '../support/host.js';

test('control characters from the host (an ANSI escape in a config file) are escaped, never sent to the terminal', () => {
  assert.equal(escapeTerminal('br\u001b[31m-x\u0007\u009b'), 'br\\x1b[31m-x\\x07\\x9b');
  const rec = recording('healthy-gateway');
  rec.files['/etc/dhcp/dhcpd.conf'] = rec.files['/etc/dhcp/dhcpd.conf']!.replace('option routers 10.172.0.10;', 'option routers 10.172.0.1\u001b[2J\u0007;');
  const r = doctorOn(rec);
  const text = doctorText(r.setup, r, false);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  assert.match(text, /router 10\.172\.0\.1\\x1b\[2J\\x07 \(/);
});

test('the verdict line counts what passed, failed, warned and was not checked', () => {
  const r = doctorOn(recording('field-gateway'));
  const text = doctorText(r.setup, r, false);
  assert.match(text, /\nPROBLEMS: 0 failed, 1 warning\(s\), 17 passed, 2 not checked\.$/);
  const healthy = doctorOn(recording('healthy-gateway'));
  assert.match(doctorText(healthy.setup, healthy, false), /\nHEALTHY: 18 passed, 2 not checked\.$/);
});
