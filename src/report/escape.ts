/**
 * Text from the wire (a DHCP host name) or from the host (an interface
 * name, a file name) made safe to print: a terminal must never receive an
 * escape sequence, a carriage return that overwrites the line, or a newline
 * that forges one. Printable ASCII passes; a backslash becomes `\\`, so an
 * escaped text reads back unambiguously; every other byte or character is
 * shown as `\xNN` (or `\u{…}` above 0xff).
 */

const PRINTABLE_FIRST = 0x20;
const PRINTABLE_LAST = 0x7e;
const BACKSLASH = 0x5c;

function hexEscape(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * Raw bytes (no character set assumed: DHCP names are "NVT ASCII" and often
 * are not) as safe text. With `maxBytes`, only that many are shown and a
 * note says how many more there were, so one field cannot stretch a line.
 */
export function escapeBytes(b: Uint8Array, offset: number, length: number, maxBytes = length): string {
  let out = '';
  const shown = Math.min(length, Math.max(0, maxBytes));
  const end = offset + shown;
  for (let i = offset; i < end; i++) {
    const c = b[i]!;
    if (c === BACKSLASH) out += '\\\\';
    else if (c >= PRINTABLE_FIRST && c <= PRINTABLE_LAST) out += String.fromCharCode(c);
    else out += hexEscape(c);
  }
  return shown < length ? `${out}…(+${length - shown} bytes)` : out;
}

/**
 * A text cut to at most `maxChars` characters, keeping its start and its
 * end (a path's file name is at its end) around an ellipsis that says how
 * much was left out. Cut before escaping: the escapes are never split.
 */
export function shortened(s: string, maxChars: number): string {
  if (s.length <= maxChars) return s;
  const head = Math.ceil((maxChars * 2) / 3);
  const tail = Math.max(0, maxChars - head);
  return `${s.slice(0, head)}…(${s.length - head - tail} characters left out)…${tail > 0 ? s.slice(s.length - tail) : ''}`;
}

/**
 * A JavaScript string as safe text. Letters beyond ASCII stay (an operator's
 * gateway may be called "Süd"), but control characters (C0, DEL, C1 — 0x9b
 * is an 8-bit CSI), line and paragraph separators and the bidirectional
 * overrides that reorder what a terminal shows are escaped.
 */
export function escapeText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === BACKSLASH) out += '\\\\';
    else if (c < PRINTABLE_FIRST || (c > PRINTABLE_LAST && c < 0xa0) || isInvisibleControl(c)) out += hexEscape(c);
    else out += ch;
  }
  return out;
}

function isInvisibleControl(c: number): boolean {
  // U+2028/2029 separators, U+200E/200F and U+202A–202E/2066–2069 bidi controls, U+FEFF.
  return c === 0x2028 || c === 0x2029 || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff;
}
