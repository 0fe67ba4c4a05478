/** The anycast interface: a macvlan on the mesh bridge, with the anycast MAC and addresses, up. */
import { formatIpv4, formatIpv6, formatMac, parseIpv4, parseIpv6, parseMac } from '../../core/address.js';
import { notChecked, result, type CheckResult, type DoctorContext } from '../check.js';

/**
 * macvlan modes that break anycast on the real kernel (test/lab/FINDINGS.md, S5): bridge and vepa
 * never deliver a broadcast with the macvlan's own MAC as source to it, so the gateways do not see
 * each other's anycast broadcasts; private does, and passthru ignores the MAC given.
 */
const BROKEN_MODES: Readonly<Record<string, string>> = {
  private: "the other gateways' anycast broadcasts reach it, and IPv6 DAD of the shared link-local address fails",
  passthru: "it takes the bridge's MAC: no anycast MAC on the wire",
};

export function anycastInterfaceChecks({ host, setup }: DoctorContext): CheckResult[] {
  const name = setup.anycastInterface;
  const link = setup.anycastLink;
  const create = `ip link add link ${setup.bridge} name ${name} type macvlan mode bridge`;
  if (link === undefined) {
    const missing = 'the anycast interface does not exist';
    return [
      result('anycast-interface', 'fail', `no interface ${name}`, `macvlan ${name} on ${setup.bridge}`, [create]),
      notChecked('anycast-mac', missing),
      notChecked('anycast-addresses', missing),
      notChecked('anycast-up', missing),
    ];
  }
  const out: CheckResult[] = [];
  const onBridge = link.kind === 'macvlan' && link.lowerName === setup.bridge && !link.lowerElsewhere;
  const what = `${link.kind ?? 'no link kind'}${link.lowerName !== undefined ? ` on ${link.lowerName}` : ''}${link.macvlanMode !== undefined ? `, mode ${link.macvlanMode}` : ''}`;
  const brokenMode = link.macvlanMode === undefined ? undefined : BROKEN_MODES[link.macvlanMode];
  if (onBridge && brokenMode !== undefined) {
    const mac = setup.anycastMac === undefined ? '' : ` address ${formatMac(setup.anycastMac)}`;
    const addrs = (host.addresses.get(name) ?? []).filter((a) => !a.address.startsWith('fe80:'));
    out.push(
      result('anycast-interface', 'fail', `macvlan ${name} on ${setup.bridge}, mode ${link.macvlanMode}: ${brokenMode}`, 'macvlan mode bridge (or vepa)', [
        `ip link del ${name}`,
        `ip link add link ${setup.bridge} name ${name}${mac} type macvlan mode bridge`,
        ...addrs.map((a) => `ip addr add ${a.address}/${a.prefixLength} dev ${name}${a.family === 'inet6' ? ' nodad' : ''}`),
        `ip link set dev ${name} up`,
      ]),
    );
  } else
    out.push(
      onBridge
        ? result(
            'anycast-interface',
            'ok',
            `macvlan ${name} on ${setup.bridge}${link.macvlanMode !== undefined ? `, mode ${link.macvlanMode}` : ''}`,
            `macvlan on ${setup.bridge}`,
          )
        : result('anycast-interface', 'fail', `${name}: ${what}`, `macvlan ${name} on ${setup.bridge}`, [`ip link del ${name}`, create]),
    );

  const mac = parseMac(link.mac);
  if (setup.anycastMac === undefined) out.push(notChecked('anycast-mac', 'no anycast MAC given and the interface has none'));
  else if (mac === setup.anycastMac) out.push(result('anycast-mac', 'ok', link.mac, formatMac(setup.anycastMac)));
  else out.push(result('anycast-mac', 'fail', link.mac, formatMac(setup.anycastMac), [`ip link set dev ${name} address ${formatMac(setup.anycastMac)}`]));

  const addrs = host.addresses.get(name) ?? [];
  const have4 = addrs.filter((a) => a.family === 'inet').map((a) => parseIpv4(a.address));
  const have6 = addrs
    .filter((a) => a.family === 'inet6')
    .map((a) => {
      const w = new Uint32Array(4);
      parseIpv6(a.address, w);
      return formatIpv6(w);
    });
  const found = addrs.map((a) => `${a.address}/${a.prefixLength}`).join(', ') || 'no address';
  const missing4 = setup.anycastIpv4.filter((ip) => !have4.includes(ip));
  const missing6 = setup.anycastIpv6.map(formatIpv6).filter((ip) => !have6.includes(ip));
  const prefixLength = setup.meshPrefix?.length ?? 16;
  const expected = [...setup.anycastIpv4.map(formatIpv4), ...setup.anycastIpv6.map(formatIpv6)].join(', ');
  if (setup.anycastIpv4.length === 0 && setup.anycastIpv6.length === 0)
    out.push(
      result('anycast-addresses', 'fail', found, 'the anycast IPv4 address (give it with --anycast-ip)', [`ip addr add ANYCAST-IP/PREFIX-LENGTH dev ${name}`]),
    );
  else if (missing4.length + missing6.length === 0) out.push(result('anycast-addresses', 'ok', found, expected));
  else
    out.push(
      result('anycast-addresses', 'fail', found, expected, [
        ...missing4.map((ip) => `ip addr add ${formatIpv4(ip)}/${prefixLength} dev ${name}`),
        ...missing6.map((ip) => `ip -6 addr add ${ip}/128 dev ${name} nodad`),
      ]),
    );

  const up = link.flags.includes('UP');
  const lowerUp = link.flags.includes('LOWER_UP');
  const state = `${up ? 'UP' : 'DOWN'}${up && !lowerUp ? ', no carrier' : ''} (operstate ${link.operstate})`;
  if (up && lowerUp) out.push(result('anycast-up', 'ok', state, 'UP'));
  else if (!up) out.push(result('anycast-up', 'fail', state, 'UP', [`ip link set dev ${name} up`]));
  else out.push(result('anycast-up', 'fail', state, 'UP with carrier', [`ip link set dev ${setup.bridge} up`]));
  return out;
}
