import type { DetectorDefinition } from './detector.js';
import { DHCP_CAPTURE, DHCP_NEEDS, DhcpOptionCheck, dhcpServerKey, type DhcpOptionEvidence } from './dhcp-option-check.js';

const KIND = 'dhcp-router-not-anycast';

/** A DHCP server named a router other than the anycast IP (or several). */
export type DhcpRouterNotAnycastEvidence = DhcpOptionEvidence<typeof KIND>;

/**
 * `dhcp-router-not-anycast` (error): a DHCP offer or ack whose router option
 * (3) is not the anycast IP — typically the gateway's own address, left from
 * before anycast — or lists several routers. Its clients send everything to
 * that one gateway. See DhcpOptionCheck.
 */
export const dhcpRouterNotAnycast: DetectorDefinition<DhcpRouterNotAnycastEvidence, 'dhcp-router-option', DhcpOptionCheck<DhcpRouterNotAnycastEvidence>> = {
  id: KIND,
  title: 'A DHCP server hands out a router other than the anycast IP (or several routers)',
  docs: 'README.md#dhcp-router-not-anycast',
  kinds: [KIND],
  causes: ['dhcp-router-option'],
  needs: DHCP_NEEDS,
  capture: DHCP_CAPTURE,
  create: () => new DhcpOptionCheck<DhcpRouterNotAnycastEvidence>(KIND, 'router', 'error', 'dhcp-router-option'),
  problemKey: dhcpServerKey,
};
