/**
 * The router and DNS options a DHCP server hands out, read from its config
 * file: isc-dhcp-server's dhcpd.conf (`option routers …;`,
 * `option domain-name-servers …;`) and dnsmasq's (`dhcp-option=3,…`,
 * `dhcp-option=option:router,…`, and 6 / option:dns-server). Each statement
 * is kept with its line, as the operator edits it there.
 */

export interface DhcpOption {
  file: string;
  line: number;
  values: string[];
}

export interface DhcpServerConfig {
  server: 'isc-dhcp-server' | 'dnsmasq';
  /** The files read (dnsmasq: dnsmasq.conf and dnsmasq.d/*). */
  files: string[];
  /** dnsmasq serves DHCP only with a dhcp-range; dhcpd.conf always does. */
  servesDhcp: boolean;
  routers: DhcpOption[];
  dnsServers: DhcpOption[];
}

function withoutComment(line: string): string {
  const hash = line.indexOf('#');
  return hash < 0 ? line : line.slice(0, hash);
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((v) => v.trim().replace(/^"|"$/g, ''))
    .filter((v) => v !== '');
}

export function parseDhcpdConf(text: string, file: string): DhcpServerConfig {
  const config: DhcpServerConfig = { server: 'isc-dhcp-server', files: [file], servesDhcp: true, routers: [], dnsServers: [] };
  text.split('\n').forEach((raw, i) => {
    const line = withoutComment(raw);
    for (const m of line.matchAll(/\boption\s+(routers|domain-name-servers)\s+([^;]*);/g)) {
      const option = { file, line: i + 1, values: list(m[2]!) };
      (m[1] === 'routers' ? config.routers : config.dnsServers).push(option);
    }
  });
  return config;
}

const DNSMASQ_ROUTER = new Set(['3', 'option:router']);
const DNSMASQ_DNS = new Set(['6', 'option:dns-server']);

/** dnsmasq.conf and the files of dnsmasq.d, in the order dnsmasq reads them. */
export function parseDnsmasqConf(files: readonly { file: string; text: string }[]): DhcpServerConfig {
  const config: DhcpServerConfig = { server: 'dnsmasq', files: files.map((f) => f.file), servesDhcp: false, routers: [], dnsServers: [] };
  for (const { file, text } of files) {
    text.split('\n').forEach((raw, i) => {
      const line = withoutComment(raw).trim();
      const eq = line.indexOf('=');
      const key = eq < 0 ? line : line.slice(0, eq);
      if (key === 'dhcp-range') config.servesDhcp = true;
      if (key !== 'dhcp-option' && key !== 'dhcp-option-force') return;
      // Tags and encapsulation come first: "tag:mesh,option:router,10.172.0.10".
      const parts = list(line.slice(eq + 1)).filter((p) => !/^(tag|set|net|encap|vi-encap|vendor):/.test(p) || p.startsWith('option'));
      const code = parts[0]?.toLowerCase();
      if (code === undefined) return;
      const option = { file, line: i + 1, values: parts.slice(1) };
      if (DNSMASQ_ROUTER.has(code)) config.routers.push(option);
      else if (DNSMASQ_DNS.has(code)) config.dnsServers.push(option);
    });
  }
  return config;
}
