import type { DetectorDefinition } from './detector.js';
import { DHCP_CAPTURE, DHCP_NEEDS, DhcpOptionCheck, dhcpServerKey, type DhcpOptionEvidence } from './dhcp-option-check.js';

const KIND = 'dhcp-dns-not-anycast';

/** A DHCP server named DNS servers other than the anycast IP. */
export type DhcpDnsNotAnycastEvidence = DhcpOptionEvidence<typeof KIND>;

/**
 * `dhcp-dns-not-anycast` (warning): a DHCP offer or ack whose DNS option (6)
 * is not the anycast IP alone — the gateway's own resolver, or the list of
 * resolvers from before anycast. Name resolution then depends on one
 * gateway (or on resolvers outside the mesh) instead of the nearest one.
 * See DhcpOptionCheck.
 */
export const dhcpDnsNotAnycast: DetectorDefinition<DhcpDnsNotAnycastEvidence, 'dhcp-dns-option', DhcpOptionCheck<DhcpDnsNotAnycastEvidence>> = {
  id: KIND,
  title: 'A DHCP server hands out DNS servers other than the anycast IP',
  docs: 'README.md#dhcp-dns-not-anycast',
  kinds: [KIND],
  causes: ['dhcp-dns-option'],
  needs: DHCP_NEEDS,
  capture: DHCP_CAPTURE,
  create: () => new DhcpOptionCheck<DhcpDnsNotAnycastEvidence>(KIND, 'dns', 'warning', 'dhcp-dns-option'),
  problemKey: dhcpServerKey,
};
