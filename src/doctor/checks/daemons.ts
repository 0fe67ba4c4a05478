/**
 * What the clients are told: the DHCP server's router and DNS options must
 * be the anycast IPv4 address, and router advertisements must leave from
 * the anycast interface (their source, the macvlan's link-local address,
 * becomes the clients' default router) announcing the anycast IPv6 address
 * as RDNSS. A config file not found is "not checked", never a failure.
 */
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../../core/address.js';
import type { DhcpOption, DhcpServerConfig } from '../../host/dhcp-config.js';
import type { RadvConfig } from '../../host/radv-config.js';
import { interfaceMatches } from '../../host/firewall-rule.js';
import { notChecked, result, type CheckResult, type DoctorContext } from '../check.js';

const RESTART: Readonly<Record<DhcpServerConfig['server'], string>> = {
  'isc-dhcp-server': 'systemctl restart isc-dhcp-server',
  dnsmasq: 'systemctl restart dnsmasq',
};

function shown(options: readonly DhcpOption[]): string {
  return options.map((o) => `${o.values.join(', ')} (${o.file}:${o.line})`).join('; ');
}

function sameIpv6(a: string, b: Uint32Array): boolean {
  const w = new Uint32Array(4);
  return parseIpv6(a, w) && formatIpv6(w) === formatIpv6(b);
}

function dhcpCheck(config: DhcpServerConfig, ctx: DoctorContext): CheckResult[] {
  const anycast = ctx.setup.anycastIpv4;
  const subject = `${config.server} (${config.files[0]})`;
  if (anycast.length === 0) return [notChecked('dhcp-options', 'no anycast IPv4 address to compare with', false, subject)];
  const want = formatIpv4(anycast[0]!);
  const isAnycast = (v: string): boolean => anycast.includes(parseIpv4(v));
  const out: CheckResult[] = [];
  const routersOk = config.routers.length > 0 && config.routers.every((o) => o.values.length > 0 && o.values.every(isAnycast));
  const dnsOk = config.dnsServers.length > 0 && config.dnsServers.every((o) => o.values.some(isAnycast));
  const found = `router ${config.routers.length > 0 ? shown(config.routers) : 'not set'}; DNS ${config.dnsServers.length > 0 ? shown(config.dnsServers) : 'not set'}`;
  // dnsmasq without the options hands out the address of the interface the request came in on: the bridge's.
  const edits: string[] = [];
  if (config.server === 'isc-dhcp-server') {
    const file = config.files[0]!;
    if (!routersOk)
      edits.push(config.routers.length > 0 ? `sed -i 's/option routers [^;]*;/option routers ${want};/' ${file}` : `echo 'option routers ${want};' >> ${file}`);
    if (!dnsOk)
      edits.push(
        config.dnsServers.length > 0
          ? `sed -i 's/option domain-name-servers [^;]*;/option domain-name-servers ${want};/' ${file}`
          : `echo 'option domain-name-servers ${want};' >> ${file}`,
      );
  } else {
    const file = config.files[config.files.length - 1]!;
    if (!routersOk) edits.push(`echo 'dhcp-option=option:router,${want}' >> ${file}`);
    if (!dnsOk) edits.push(`echo 'dhcp-option=option:dns-server,${want}' >> ${file}`);
  }
  const expected = `router ${want}, DNS including ${want}`;
  if (routersOk && dnsOk) out.push(result('dhcp-options', 'ok', found, expected, [], subject));
  else out.push(result('dhcp-options', routersOk ? 'warn' : 'fail', found, expected, [...edits, RESTART[config.server]], subject));
  return out;
}

function radvCheck(config: RadvConfig, ctx: DoctorContext): CheckResult[] {
  const { bridge, anycastInterface, anycastIpv6 } = ctx.setup;
  const subject = `${config.daemon === 'bird' ? 'BIRD protocol radv' : 'radvd'} (${config.file})`;
  const on = config.interfaces.filter((i) => interfaceMatches(i.name.replace(/\*$/, '+'), anycastInterface));
  const onBridge = config.interfaces.filter((i) => interfaceMatches(i.name.replace(/\*$/, '+'), bridge));
  // The fix renames the bridge's block, so its RDNSS counts when no block names the anycast interface.
  const rdnss = [...config.rdnss, ...(on.length > 0 ? on : onBridge).flatMap((i) => i.rdnss)];
  const found = `interfaces ${config.interfaces.map((i) => i.name).join(', ') || 'none'}; RDNSS ${rdnss.join(', ') || 'none'}`;
  const wantDns = anycastIpv6[0] === undefined ? undefined : formatIpv6(anycastIpv6[0]);
  const expected = `interface ${anycastInterface}${onBridge.length > 0 ? ` (not ${bridge})` : ''}${wantDns !== undefined ? `, RDNSS ${wantDns}` : ''}`;
  const reload = config.daemon === 'bird' ? (config.file.includes('bird6') ? 'birdc6 configure' : 'birdc configure') : 'systemctl reload radvd';
  const quoted = config.daemon === 'bird' ? `"${anycastInterface}"` : anycastInterface;
  const edits: string[] = [];
  if (on.length === 0) {
    const from = onBridge[0]?.name;
    edits.push(
      from !== undefined
        ? `sed -i 's/interface ${config.daemon === 'bird' ? `"${from}"` : from}/interface ${quoted}/' ${config.file}`
        : `edit ${config.file}: add interface ${quoted}`,
    );
  }
  const dnsOk = wantDns === undefined || rdnss.some((a) => sameIpv6(a, anycastIpv6[0]!));
  if (!dnsOk) edits.push(`edit ${config.file}: rdnss ${wantDns} in the ${anycastInterface} interface`);
  if (on.length > 0 && onBridge.length > 0 && dnsOk)
    return [result('radv', 'warn', found, expected, [`edit ${config.file}: remove interface ${onBridge[0]!.name}`, reload], subject)];
  if (edits.length === 0) return [result('radv', 'ok', found, expected, [], subject)];
  return [result('radv', on.length === 0 ? 'fail' : 'warn', found, expected, [...edits, reload], subject)];
}

export function daemonChecks(ctx: DoctorContext): CheckResult[] {
  const out: CheckResult[] = [];
  const dhcp = ctx.host.dhcp.filter((d) => d.kind !== 'absent');
  for (const d of dhcp) out.push(...(d.kind === 'read' ? dhcpCheck(d.value, ctx) : [notChecked('dhcp-options', d.why, true)]));
  if (dhcp.length === 0) out.push(notChecked('dhcp-options', ctx.host.dhcp.map((d) => (d.kind === 'absent' ? d.why : '')).join('; ')));
  const radv = ctx.host.radv.filter((d) => d.kind !== 'absent');
  for (const d of radv) out.push(...(d.kind === 'read' ? radvCheck(d.value, ctx) : [notChecked('radv', d.why, true)]));
  if (radv.length === 0) out.push(notChecked('radv', ctx.host.radv.map((d) => (d.kind === 'absent' ? d.why : '')).join('; ')));
  return out;
}
