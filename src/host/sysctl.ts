/**
 * The per-interface sysctls doctor judges, read from /proc/sys (per network
 * namespace). Kept by their /proc/sys path below net/, e.g.
 * "ipv4/conf/all/arp_filter"; an interface name may contain dots, so paths,
 * never sysctl's dotted names, are the keys.
 */
import type { HostAccess } from './access.js';

export const IPV4_CONF_KEYS = ['arp_filter', 'arp_ignore', 'arp_announce', 'rp_filter'] as const;
export const IPV6_CONF_KEYS = ['accept_dad', 'dad_transmits', 'disable_ipv6', 'forwarding'] as const;
export type Ipv4ConfKey = (typeof IPV4_CONF_KEYS)[number];
export type Ipv6ConfKey = (typeof IPV6_CONF_KEYS)[number];

export interface SysctlValues {
  /** net.ipv4.ip_forward */
  ipForward: number | undefined;
  ipv4(scope: string, key: Ipv4ConfKey): number | undefined;
  ipv6(scope: string, key: Ipv6ConfKey): number | undefined;
}

/** Reads net.ipv4.conf.{all,IFACE}.* and net.ipv6.conf.{all,IFACE}.* for the given interfaces. */
export function readSysctls(host: HostAccess, interfaces: readonly string[]): SysctlValues {
  const values = new Map<string, number>();
  const read = (path: string): void => {
    const text = host.readFile(`/proc/sys/net/${path}`);
    const n = text === undefined ? Number.NaN : Number.parseInt(text.trim(), 10);
    if (!Number.isNaN(n)) values.set(path, n);
  };
  for (const scope of ['all', ...interfaces]) {
    for (const key of IPV4_CONF_KEYS) read(`ipv4/conf/${scope}/${key}`);
    for (const key of IPV6_CONF_KEYS) read(`ipv6/conf/${scope}/${key}`);
  }
  read('ipv4/ip_forward');
  return {
    ipForward: values.get('ipv4/ip_forward'),
    ipv4: (scope, key) => values.get(`ipv4/conf/${scope}/${key}`),
    ipv6: (scope, key) => values.get(`ipv6/conf/${scope}/${key}`),
  };
}
