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
