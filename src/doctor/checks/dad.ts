/**
 * Duplicate address detection must be off for the anycast IPv6 addresses:
 * every gateway holds them, so DAD would find "duplicates" and leave the
 * address unusable (dadfailed). The kernel skips DAD (net/ipv6/addrconf.c,
 * addrconf_dad_begin) for an address flagged nodad, when accept_dad is < 1
 * on both `all` and the interface, or sends no probe when the interface's
 * dad_transmits is 0.
 */
import { formatIpv6, parseIpv6 } from '../../core/address.js';
import { notChecked, result, type CheckResult, type DoctorContext } from '../check.js';
import { sysctlName } from './kernel-settings.js';

export function dadChecks({ host, setup }: DoctorContext): CheckResult[] {
  const name = setup.anycastInterface;
  const acceptAll = host.sysctl.ipv6('all', 'accept_dad');
  const acceptIf = host.sysctl.ipv6(name, 'accept_dad');
  const transmits = host.sysctl.ipv6(name, 'dad_transmits');
  const sysctlOff = (acceptAll !== undefined && acceptIf !== undefined && acceptAll < 1 && acceptIf < 1) || transmits === 0;
  const settings = `accept_dad all=${acceptAll ?? '?'} ${name}=${acceptIf ?? '?'}, dad_transmits ${name}=${transmits ?? '?'}`;
  const out: CheckResult[] = [];
  // The link-local address derives from the anycast MAC, so it is the same on every gateway too.
  for (const a of host.addresses.get(name) ?? []) {
    if (a.family !== 'inet6' || !a.address.startsWith('fe80:') || !a.dadfailed) continue;
    out.push(
      result(
        'dad',
        'fail',
        `${a.address}/${a.prefixLength}: dadfailed`,
        'not dadfailed: macvlan mode bridge or vepa (see anycast-interface)',
        [`ip link set dev ${name} down`, `ip link set dev ${name} up`],
        a.address,
      ),
    );
  }
  for (const words of setup.anycastIpv6) {
    const ip = formatIpv6(words);
    const entry = (host.addresses.get(name) ?? []).find((a) => {
      const w = new Uint32Array(4);
      return a.family === 'inet6' && parseIpv6(a.address, w) && formatIpv6(w) === ip;
    });
    if (entry === undefined) {
      out.push(notChecked('dad', `${ip} is not on ${name} (see anycast-addresses)`, false, ip));
      continue;
    }
    const flags =
      [entry.nodad ? 'nodad' : '', entry.tentative ? 'tentative' : '', entry.dadfailed ? 'dadfailed' : ''].filter((f) => f !== '').join(' ') || 'no nodad flag';
    const found = `${ip}/${entry.prefixLength}: ${flags}; ${settings}`;
    const readd = [`ip -6 addr del ${ip}/${entry.prefixLength} dev ${name}`, `ip -6 addr add ${ip}/${entry.prefixLength} dev ${name} nodad`];
    if (entry.dadfailed) out.push(result('dad', 'fail', found, 'nodad (DAD off), not dadfailed', readd, ip));
    else if (entry.nodad || sysctlOff) out.push(result('dad', 'ok', found, 'DAD off', [], ip));
    else
      out.push(
        result(
          'dad',
          'fail',
          found,
          'DAD off: address flag nodad (ifupdown: dad-attempts 0), or dad_transmits 0',
          [`sysctl -w ${sysctlName('ipv6', name, 'dad_transmits')}=0`, ...readd],
          ip,
        ),
      );
  }
  if (out.length === 0) out.push(notChecked('dad', 'no anycast IPv6 address'));
  return out;
}
