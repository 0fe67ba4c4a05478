import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeBytes, escapeText } from '../../src/report/escape.js';

test('wire bytes keep printable ASCII and show ESC, CR, LF, DEL and 8-bit bytes as \\xNN', () => {
  const b = Buffer.concat([Buffer.from('a\x1b[31mred\r\nb\x7f'), Buffer.from([0x9b, 0xff])]);
  assert.equal(escapeBytes(b, 0, b.length), 'a\\x1b[31mred\\x0d\\x0ab\\x7f\\x9b\\xff');
});

test('a backslash is doubled, so an escaped text reads back unambiguously', () => {
  const b = Buffer.from('x\\x1b');
  assert.equal(escapeBytes(b, 0, b.length), 'x\\\\x1b');
  assert.equal(escapeText('x\\x1b'), 'x\\\\x1b');
});

test('only the given range of the bytes is read', () => {
  const b = Buffer.from('..node..');
  assert.equal(escapeBytes(b, 2, 4), 'node');
});

test('host text keeps letters beyond ASCII but escapes C0, C1, line separators and bidi overrides', () => {
  assert.equal(escapeText('Süd-gw\x1b]0;x\x07\u009b\u2028\u202eevil'), 'Süd-gw\\x1b]0;x\\x07\\x9b\\u{2028}\\u{202e}evil');
});
