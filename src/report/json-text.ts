/**
 * JSON text that is safe to write to a terminal and always parses back to
 * the same value. JSON.stringify already escapes C0 controls, quotes and
 * backslashes and writes lone surrogates as \uXXXX; it leaves DEL, the C1
 * controls (U+009B is a CSI on terminals that honour 8-bit controls), the
 * line and paragraph separators and the bidirectional overrides raw. Outside
 * a string JSON holds only ASCII, so each of those characters is inside a
 * string, where \uXXXX means the same character: the value does not change,
 * only its bytes become harmless.
 */

const UNSAFE_IN_JSON = /[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

function unicodeEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** JSON.stringify, with every character a terminal would act on written as \uXXXX. */
export function jsonText(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent);
  return text.replace(UNSAFE_IN_JSON, unicodeEscape);
}
