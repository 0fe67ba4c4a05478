/**
 * The IPv4 sysctls of the recipe, with the kernel's own rules for combining
 * `all` and the interface's value (include/linux/inetdevice.h):
 * arp_filter is IN_DEV_ORCONF (all OR interface), rp_filter, arp_ignore
 * and arp_announce are IN_DEV_MAXCONF (the larger of the two).
 */
import type { Ipv4ConfKey } from '../../host/sysctl.js';
import { notChecked, result, type CheckResult, type DoctorContext } from '../check.js';

/** `sysctl -w` wants "/" for the dots of an interface name such as bat0.10. */
export function sysctlName(family: 'ipv4' | 'ipv6', scope: string, key: string): string {
  return scope.includes('.') ? `net/${family}/conf/${scope}/${key}` : `net.${family}.conf.${scope}.${key}`;
}

function interfaces({ setup }: DoctorContext): string[] {
  return setup.anycastLink === undefined ? [setup.bridge] : [setup.anycastInterface, setup.bridge];
}

function values(ctx: DoctorContext, key: Ipv4ConfKey): { all: number | undefined; per: [string, number | undefined][] } {
  return { all: ctx.host.sysctl.ipv4('all', key), per: interfaces(ctx).map((i) => [i, ctx.host.sysctl.ipv4(i, key)]) };
}

function show(v: { all: number | undefined; per: [string, number | undefined][] }): string {
  return [`all=${v.all ?? '?'}`, ...v.per.map(([i, n]) => `${i}=${n ?? '?'}`)].join(' ');
}

export function arpFilterCheck(ctx: DoctorContext): CheckResult[] {
  const v = values(ctx, 'arp_filter');
  if (v.all === undefined) return [notChecked('arp-filter', '/proc/sys/net/ipv4/conf/all/arp_filter not readable', true)];
  const off = v.per.filter(([, n]) => (v.all! | (n ?? 0)) === 0).map(([i]) => i);
  const found = show(v);
  if (v.all === 1) return [result('arp-filter', 'ok', found, 'all=1')];
  // Effective per interface (all OR interface) is what the kernel uses; the recipe sets all=1.
  if (off.length === 0) return [result('arp-filter', 'ok', `${found} (on for each interface)`, 'all=1 or each interface 1')];
  return [result('arp-filter', 'fail', `${found}: off on ${off.join(', ')}`, 'all=1', [`sysctl -w ${sysctlName('ipv4', 'all', 'arp_filter')}=1`])];
}

export function arpIgnoreAnnounceCheck(ctx: DoctorContext): CheckResult[] {
  const ignore = values(ctx, 'arp_ignore');
  const announce = values(ctx, 'arp_announce');
  if (ignore.all === undefined) return [notChecked('arp-ignore-announce', '/proc/sys/net/ipv4/conf/all/arp_ignore not readable', true)];
  const found = `arp_ignore ${show(ignore)}; arp_announce ${show(announce)}`;
  return [result('arp-ignore-announce', 'ok', found, 'reported only (the recipe leaves them at 0)')];
}

export function rpFilterCheck(ctx: DoctorContext): CheckResult[] {
  const v = values(ctx, 'rp_filter');
  if (v.all === undefined) return [notChecked('rp-filter', '/proc/sys/net/ipv4/conf/all/rp_filter not readable', true)];
  const effective = v.per.map(([i, n]) => [i, Math.max(v.all!, n ?? 0)] as const);
  const on = effective.filter(([, n]) => n > 0);
  const found = `${effective.map(([i, n]) => `${i} ${n}`).join(', ')} (${show(v)})`;
  if (on.length === 0) return [result('rp-filter', 'ok', found, 'effective 0 on each')];
  const fix = [...(v.all > 0 ? ['all'] : []), ...v.per.filter(([, n]) => (n ?? 0) > 0).map(([i]) => i)].map(
    (scope) => `${sysctlName('ipv4', scope, 'rp_filter')}=0`,
  );
  return [result('rp-filter', 'fail', found, 'effective 0 (the larger of all and the interface) on each', [`sysctl -w ${fix.join(' ')}`])];
}

/** A gateway forwards: IPv4 always, IPv6 where it has anycast IPv6 addresses. */
export function forwardingCheck(ctx: DoctorContext): CheckResult[] {
  const v4 = ctx.host.sysctl.ipForward;
  const v6 = ctx.host.sysctl.ipv6('all', 'forwarding');
  if (v4 === undefined) return [notChecked('forwarding', '/proc/sys/net/ipv4/ip_forward not readable', true)];
  const judge6 = ctx.setup.anycastIpv6.length > 0;
  const found = `net.ipv4.ip_forward=${v4}${v6 !== undefined ? `, net.ipv6.conf.all.forwarding=${v6}` : ''}`;
  const fix = [...(v4 === 0 ? ['net.ipv4.ip_forward=1'] : []), ...(judge6 && v6 === 0 ? ['net.ipv6.conf.all.forwarding=1'] : [])];
  const expected = judge6 ? 'both 1' : 'net.ipv4.ip_forward=1';
  return [fix.length === 0 ? result('forwarding', 'ok', found, expected) : result('forwarding', 'fail', found, expected, [`sysctl -w ${fix.join(' ')}`])];
}
