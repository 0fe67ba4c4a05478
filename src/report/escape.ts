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

/** Raw bytes (no character set assumed: DHCP names are "NVT ASCII" and often are not) as safe text. */
export function escapeBytes(b: Uint8Array, offset: number, length: number): string {
  let out = '';
  const end = offset + length;
  for (let i = offset; i < end; i++) {
    const c = b[i]!;
    if (c === BACKSLASH) out += '\\\\';
    else if (c >= PRINTABLE_FIRST && c <= PRINTABLE_LAST) out += String.fromCharCode(c);
    else out += hexEscape(c);
  }
  return out;
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
