import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeBytes, escapeText, shortened } from '../../src/report/escape.js';
import { jsonText, writeJsonText } from '../../src/report/json-text.js';
import { liveScreen } from '../../src/report/live-view.js';

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

test('JSON text escapes DEL, C1, separators and bidi controls as \\uXXXX and parses back to the same value', () => {
  const value = { input: 'a\x7f\u009b[31m\u2028\u202e\u2066b', n: 1, nested: ['Süd\x1b'] };
  const text = jsonText(value, 2);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters in the output is the point.
  assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u202e\u2066]/u);
  assert.ok(text.includes('\\u009b') && text.includes('\\u202e') && text.includes('Süd'), text);
  assert.deepEqual(JSON.parse(text), value);
});

test('a document written piece by piece is the text jsonText gives, member for member and element for element', () => {
  const values: unknown[] = [
    {
      schema: 'x',
      skipped: undefined,
      fn: () => 1,
      n: 1.5,
      empty: [],
      none: {},
      list: [1, 'a\u2028b', undefined, { deep: [1, [2, { e: null }]], s: 'Süd\x1b' }, [], {}],
      nested: { a: [1, 2], b: { c: 'd' } },
      when: new Date(0),
    },
    {},
    { only: undefined },
    [1, 2],
    'text',
    null,
  ];
  for (const value of values) {
    const lines: string[] = [];
    writeJsonText(value, 2, (l) => lines.push(l));
    assert.equal(lines.join('\n'), jsonText(value, 2));
  }
  // One line per member and per element of a top-level array: no line holds the whole list.
  const lines: string[] = [];
  writeJsonText({ findings: [{ a: 1 }, { b: 2 }] }, 2, (l) => lines.push(l));
  assert.deepEqual(lines, ['{', '  "findings": [', '    {\n      "a": 1\n    },', '    {\n      "b": 2\n    }', '  ]', '}']);
});

test('an overlong text keeps its start and its end and says how much was left out', () => {
  const s = `${'a'.repeat(500)}/file.pcap`;
  const cut = shortened(s, 60);
  assert.ok(cut.startsWith('a'.repeat(40)) && cut.endsWith('file.pcap'), cut);
  assert.match(cut, /…\(450 characters left out\)…/);
  assert.equal(shortened('short', 60), 'short');
});

test("the live view's title (a file or interface name) is escaped", () => {
  const screen = liveScreen(
    {
      title: 'anycast-probe replay x\x1b[2J\x1b]0;t\x07\nFAKE.pcap',
      anycastLine: 'Anycast: not configured',
      frames: 0,
      received: 0,
      dropped: undefined,
      elapsedSeconds: 0,
      perKind: {},
      matrix: [],
      latest: [],
    },
    false,
  );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters in the output is the point.
  assert.doesNotMatch(screen, /[\x00-\x09\x0b-\x1f]/);
  assert.ok(screen.split('\n')[0]!.includes('x\\x1b[2J\\x1b]0;t\\x07\\x0aFAKE.pcap'), screen);
});
