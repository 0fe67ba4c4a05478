/**
 * Which interfaces a router-advertisement daemon speaks on and which DNS
 * servers (RDNSS) it announces: radvd's radvd.conf (`interface NAME { …
 * RDNSS addr … { }; };`) and BIRD's `protocol radv` (`interface "NAME" { … };`,
 * `rdnss ADDR;` or `rdnss { ns ADDR; };`), bird6.conf (BIRD 1.x) or bird.conf.
 */

export interface RadvInterface {
  /** The name or pattern as written (BIRD allows "fftr-*"). */
  name: string;
  rdnss: string[];
}

export interface RadvConfig {
  daemon: 'radvd' | 'bird';
  file: string;
  interfaces: RadvInterface[];
  /** RDNSS given for the whole protocol (BIRD), not per interface. */
  rdnss: string[];
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(#|\/\/).*$/gm, '');
}

/** The text between the brace at `open` and its match. */
function block(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

const IPV6 = /\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\b/gi;

function addresses(text: string): string[] {
  return [...text.matchAll(IPV6)].map((m) => m[0].toLowerCase());
}

function rdnssOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\brdnss\b\s*([^;{]*)(\{[^}]*\})?/gi)) out.push(...addresses(`${m[1] ?? ''} ${m[2] ?? ''}`));
  return out;
}

export function parseRadvdConf(text: string, file: string): RadvConfig {
  const clean = withoutComments(text);
  const interfaces: RadvInterface[] = [];
  for (const m of clean.matchAll(/\binterface\s+(\S+)\s*\{/g)) {
    interfaces.push({ name: m[1]!, rdnss: rdnssOf(block(clean, m.index + m[0].length - 1)) });
  }
  return { daemon: 'radvd', file, interfaces, rdnss: [] };
}

/** BIRD's `protocol radv` blocks; undefined when the file has none. */
export function parseBirdRadv(text: string, file: string): RadvConfig | undefined {
  const clean = withoutComments(text);
  const interfaces: RadvInterface[] = [];
  const rdnss: string[] = [];
  let found = false;
  for (const p of clean.matchAll(/\bprotocol\s+radv\b[^{]*\{/g)) {
    found = true;
    let body = block(clean, p.index + p[0].length - 1);
    for (const m of body.matchAll(/\binterface\s+((?:"[^"]*"\s*,?\s*)+)(\{)?/g)) {
      const names = [...m[1]!.matchAll(/"([^"]*)"/g)].map((n) => n[1]!);
      const own = m[2] !== undefined ? rdnssOf(block(body, m.index + m[0].length - 1)) : [];
      for (const name of names) interfaces.push({ name, rdnss: own });
    }
    // What is left outside the interface blocks is the protocol's own.
    body = body.replace(/\binterface\s+(?:"[^"]*"\s*,?\s*)+\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}/g, '');
    rdnss.push(...rdnssOf(body));
  }
  return found ? { daemon: 'bird', file, interfaces, rdnss } : undefined;
}
