// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters JSON does not allow raw.
const RAW_CONTROL = /[\x00-\x1f]/g;

/**
 * Parses the JSON of `ip -j …`. iproute2 writes control characters in a
 * name raw into its JSON (Linux allows "x\x1b[7m" as an interface name): as
 * \u escapes they parse, and report/ escapes them again before showing them.
 * An empty output (no entries) is an empty list. Throws SyntaxError as
 * JSON.parse does.
 */
export function parseIproute2Json(text: string): unknown {
  const t = text.trim();
  return JSON.parse(t === '' ? '[]' : t.replace(RAW_CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
