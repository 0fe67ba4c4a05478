import type { Gateway } from '../detect/gateways.js';
import { formatIpv4, formatMac } from '../core/address.js';
import { escapeText } from './escape.js';

/** A gateway's display name: its configured name (escaped: a config file or a host name is text someone chose), else its IP (or MAC) as learned from the capture. */
export function gatewayName(gw: Gateway | undefined): string {
  if (gw === undefined) return '(unknown)';
  if (gw.name !== '') return escapeText(gw.name);
  if (gw.ipv4.length > 0) return formatIpv4(gw.ipv4[0]!);
  return formatMac(gw.macs[0] ?? -1);
}

export function gatewayByIndex(gateways: Gateway[], index: number): Gateway | undefined {
  return index >= 0 ? gateways[index] : undefined;
}

/**
 * A gateway's stable key: its first MAC, the same in every output of a run
 * (its name can change in a live stream once its IP is seen); null when it
 * has none (a configured gateway given without a MAC) or is not a gateway.
 */
export function gatewayKey(gw: Gateway | undefined): string | null {
  const mac = gw?.macs[0];
  return mac === undefined ? null : formatMac(mac);
}
