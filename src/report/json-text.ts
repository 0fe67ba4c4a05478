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

/**
 * jsonText(value, indent) of an object, given to `line` in pieces that
 * end where a line ends (joined with newlines, they are the text): each
 * top-level member, and each element of a top-level array member, is
 * stringified alone. The text is the same; the largest string made is
 * one member's or element's, not the document's.
 * Why: analyze's report on the 5M bench capture is 1.9 MB of JSON, and the
 * one string, its escaped copy, the joined output and its Buffer were the
 * peak of the run's memory (BENCHMARKS.md, "Peak RSS at the report").
 * Anything else (not a plain object, no indent) is jsonText in one line.
 */
export function writeJsonText(value: unknown, indent: number, line: (text: string) => void): void {
  if (indent <= 0 || !isPlainObject(value)) {
    line(jsonText(value, indent));
    return;
  }
  const pad = ' '.repeat(indent);
  // The members JSON.stringify writes: undefined, functions and symbols are left out.
  const keys = Object.keys(value).filter((k) => isWritten(value[k]));
  if (keys.length === 0) {
    line('{}');
    return;
  }
  line('{');
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const member = value[key];
    const comma = i < keys.length - 1 ? ',' : '';
    const head = `${pad}${jsonText(key)}: `;
    if (Array.isArray(member) && member.length > 0 && !hasToJson(member)) {
      line(`${head}[`);
      const inner = pad + pad;
      for (let j = 0; j < member.length; j++) {
        // In an array, what JSON.stringify leaves out of an object is written as null.
        const element: unknown = isWritten(member[j]) ? member[j] : null;
        line(`${inner}${indented(jsonText(element, indent), inner)}${j < member.length - 1 ? ',' : ''}`);
      }
      line(`${pad}]${comma}`);
    } else {
      line(`${head}${indented(jsonText(member, indent), pad)}${comma}`);
    }
  }
  line('}');
}

/** JSON text nested one level deeper: every line after the first gets `pad` (strings hold no raw newline). */
function indented(text: string, pad: string): string {
  return text.includes('\n') ? text.replace(/\n/g, `\n${pad}`) : text;
}

function isWritten(v: unknown): boolean {
  return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
}

function hasToJson(v: object): boolean {
  return typeof (v as { toJSON?: unknown }).toJSON === 'function';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !hasToJson(v);
}
