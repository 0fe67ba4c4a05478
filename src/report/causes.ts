import type { CauseValue, Finding, FindingKindValue } from '../detect/findings.js';
import type { GatewayEvidence } from '../detect/gateways.js';
import { formatIpv4, formatIpv6, linkLocalFromMac } from '../core/address.js';

/** What each finding kind means, in one line. */
export function kindTitle(kind: FindingKindValue): string {
  switch (kind) {
    case 'unicast-arp-reply':
      return 'anycast IP answered (ARP) with a unicast MAC';
    case 'unicast-neighbor-advert':
      return 'anycast IPv6 advertised (NDP) with a unicast MAC';
    case 'anycast-reply-unicast-mac':
      return 'packets from the anycast IP sent with a unicast MAC';
    case 'asymmetric-reply':
      return 'replies from a different gateway than the request went to';
    case 'gateway-switch':
      return 'flows answered by different gateways over time';
    case 'inter-gateway-traffic':
      return 'traffic between gateways';
    case 'anycast-mac-for-unicast-ip':
      return "a gateway's own address answered (ARP/NDP) with the anycast MAC";
    case 'unanswered-anycast':
      return 'pings sent to the anycast gateway that got no reply';
    case 'arp-flip-flop':
      return "the MAC of the anycast IP flips back and forth in clients' caches";
    case 'client-pinned':
      return "clients pinned to one gateway's unicast MAC";
    case 'ra-not-from-anycast':
      return 'router advertisements not from the anycast interface: clients get a second default router';
    case 'ra-inconsistent':
      return 'router advertisements that disagree: clients flip between them';
    case 'dhcp-router-not-anycast':
      return 'DHCP hands out a router other than the anycast IP';
    case 'dhcp-dns-not-anycast':
      return 'DHCP hands out DNS servers other than the anycast IP';
    case 'moved-connection':
      return 'TCP connections that broke when they moved to another gateway';
  }
}

/** The likely cause in words. */
export function causeText(cause: CauseValue): string {
  switch (cause) {
    case 'arp-filter-off':
      return 'arp_filter is off on this gateway: its bridge answers ARP for the anycast IP with the bridge MAC (the anycast MAC answered the same clients too), pinning clients to this gateway';
    case 'source-route-missing':
      return 'the source route for the anycast IP is missing on this gateway: the kernel sends anything from the anycast IP through the bridge, with the bridge MAC';
    case 'wrong-gateway-return':
      return 'the return path leaves through another gateway than the one the client sent to: asymmetric routing between gateways (or a client pinned to one gateway by a unicast ARP answer)';
    case 'flow-moved-gateway':
      return 'the mesh moved the client to another gateway in the middle of a flow; stateful connections (NAT, conntrack) through the first gateway break';
    case 'inter-gateway-volume':
      return "gateways exchange traffic over the mesh: one gateway carries the other's clients (return paths, missing source routing)";
    case 'anycast-ipv6-on-bridge':
      return "the anycast IPv6 address is configured on this gateway's bridge br-fftr too: the kernel answers neighbor solicitations for it with the bridge MAC and the override flag set, and as the last advertisement wins, clients send to this gateway until an anycast advertisement overrides it";
    case 'proxy-ndp':
      return "proxy NDP on this gateway's bridge answers for the anycast IPv6 address (override flag clear): clients that already know the anycast MAC ignore it, clients resolving the address for the first time take the bridge MAC and are pinned to this gateway";
    case 'radv-on-bridge':
      return "the router advertisement daemon (BIRD's protocol radv, radvd) sends on br-fftr, not on fftr-gw-anycast: clients see this gateway's bridge as a second router, with its own MAC and link-local, and may send to it whichever gateway is nearest";
    case 'anycast-link-local-not-eui64':
      return "RAs from the anycast MAC come from more than one router address, and this one is not the link-local derived from the anycast MAC (addr_gen_mode stable-privacy or random, or set by hand on that gateway's fftr-gw-anycast): clients keep one default router per address behind the same MAC";
    case 'gateways-disagree-ra':
      return "the gateways' router advertisement settings differ: all RAs come from the one anycast router, so each RA overwrites what the previous one said and clients flip between the gateways' prefixes, lifetimes, DNS servers or MTU";
    case 'forwarded-dropped':
      return 'the gateway answers pings to the anycast IP but drops what clients send through it: strict rp_filter on fftr-gw-anycast or br-fftr (the reply route does not point back out of the interface the request came in on), or a firewall that does not forward traffic arriving on the anycast interface';
    case 'anycast-unanswered':
      return 'nothing answers at the anycast gateway: the gateway nearest to this client is down or unreachable, its anycast interface is down, or a firewall drops the pings';
    case 'anycast-and-unicast-answer':
      return "clients learn the anycast IP at the anycast MAC and at this gateway's unicast MAC in turn, whichever answer wins: the gateway also answers or announces the anycast IP from its bridge (arp_filter off, or its source route missing: see the unicast-arp-reply finding); each change moves the client to another gateway and breaks its connections (intermittent loss)";
    case 'unicast-gateways-answer':
      return "clients learn the anycast IP at two gateways' unicast MACs in turn: both answer from their bridges (arp_filter off or source route missing on each: see the unicast-arp-reply findings); each change moves the client between the gateways and breaks its connections (intermittent loss)";
    case 'pinned-to-gateway':
      return "these clients hold this gateway's unicast MAC for the anycast IP and send to it, not to the anycast MAC: they stay on this gateway wherever they roam, and lose their gateway while it is down, until their ARP cache forgets it";
    case 'arp-filter-off-macvlan':
      return "arp_filter is off on this gateway: its anycast macvlan answers ARP for the gateway's own IP with the anycast MAC; hosts that cache it send this gateway's traffic to whichever gateway is nearest";
    case 'dhcp-router-option':
      return "this gateway's DHCP server still names its own address (or a list of routers) as the router, not the anycast IP: its clients send all their traffic to this one gateway, whichever is nearest, and lose their router when it goes down";
    case 'dhcp-dns-option':
      return "this gateway's DHCP server names DNS servers other than the anycast IP (its own address, or the resolvers from before anycast): name resolution depends on that gateway or those resolvers instead of the nearest gateway";
    case 'moved-nat-state-lost':
      return 'looks like NAT per gateway (on the gateway, or at its exit: a VPN provider behind each gateway): the connection moved to this gateway in the middle, and a reset came back through it at once, as this gateway (or its exit) has no translation for it and the server, seeing a new source address, resets it; every open connection breaks when a client changes gateway';
    case 'moved-connection-dropped':
      return 'looks like a stateful firewall: the connection moved to this gateway in the middle, and nothing came back while the client sent the same segment again and again, then silence: this gateway drops what it did not see begin (a FORWARD rule that lets replies in only for ESTABLISHED connections; NAT whose translated packets the server ignores looks the same)';
  }
}

/** An example mesh prefix for the route command: the /16 around the anycast IP (the recipe's 10.172.0.0/16). */
function meshPrefixExample(ip: number): string {
  return ip >= 0 ? `${formatIpv4((ip & 0xffff0000) >>> 0)}/16` : '<mesh-prefix>';
}

/** The exact commands from the anycast recipe that fix this finding, to type on the named gateway. */
export function fixCommands(f: Finding): string[] {
  const ip = f.anycastIpv4 >= 0 ? formatIpv4(f.anycastIpv4) : f.anycastIpv6 !== null ? formatIpv6(f.anycastIpv6) : '<anycast-ip>';
  switch (f.cause) {
    case 'arp-filter-off':
    case 'arp-filter-off-macvlan':
      return ['sysctl -w net.ipv4.conf.all.arp_filter=1', "echo 'net.ipv4.conf.all.arp_filter = 1' > /etc/sysctl.d/90-anycast.conf"];
    case 'source-route-missing':
      return [
        `ip rule add from ${ip}/32 table anycast`,
        `ip route add table anycast ${meshPrefixExample(f.anycastIpv4)} dev fftr-gw-anycast   # your mesh prefix`,
        '(define the table once: echo "100 anycast" >> /etc/iproute2/rt_tables)',
      ];
    case 'wrong-gateway-return':
      return [
        'sysctl -w net.ipv4.conf.br-fftr.rp_filter=0 net.ipv4.conf.fftr-gw-anycast.rp_filter=0 net.ipv4.conf.all.rp_filter=0',
        'check that the uplink routes each client prefix back through the gateway that forwarded it; fix any unicast-arp-reply finding first',
      ];
    case 'flow-moved-gateway':
      return ['keep NAT/conntrack state in sync between gateways (conntrackd) or avoid NAT on the gateways; check batman-adv gateway selection (batctl gwl)'];
    case 'inter-gateway-volume':
      return ['check the source routing on every gateway (ip rule show; ip route show table anycast) and the uplink return paths'];
    case 'forwarded-dropped':
      return [
        'sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.br-fftr.rp_filter=0 net.ipv4.conf.fftr-gw-anycast.rp_filter=0',
        'iptables -S FORWARD; nft list ruleset   # accept forwarding from fftr-gw-anycast as from br-fftr',
      ];
    case 'anycast-unanswered':
      return [
        'ip -d link show fftr-gw-anycast; ip addr show fftr-gw-anycast   # on the gateway nearest to the client (batctl gwl)',
        'iptables -S INPUT; nft list ruleset   # ICMP echo accepted on fftr-gw-anycast',
      ];
    case 'anycast-and-unicast-answer':
    case 'unicast-gateways-answer':
      return [
        'sysctl -w net.ipv4.conf.all.arp_filter=1   # on the gateway(s) named',
        `ip rule add from ${ip}/32 table anycast; ip route add table anycast ${meshPrefixExample(f.anycastIpv4)} dev fftr-gw-anycast   # if the source route is missing`,
      ];
    case 'pinned-to-gateway':
      return [
        'fix what told them first (the unicast-arp-reply / arp-flip-flop findings of this gateway: arp_filter, the source route)',
        `ip neigh del ${ip} dev <interface>   # on a pinned client, or wait until its cache entry expires`,
      ];
    case 'dhcp-router-option':
      return [
        `option routers ${ip};   # isc-dhcp-server: /etc/dhcp/dhcpd.conf on this gateway, then systemctl restart isc-dhcp-server`,
        `dhcp-option=3,${ip}   # dnsmasq: /etc/dnsmasq.conf, then systemctl restart dnsmasq`,
        'clients keep the old router until their lease is renewed (the lease time shows when)',
      ];
    case 'dhcp-dns-option':
      return [
        `option domain-name-servers ${ip};   # isc-dhcp-server: /etc/dhcp/dhcpd.conf on this gateway, then systemctl restart isc-dhcp-server`,
        `dhcp-option=6,${ip}   # dnsmasq: /etc/dnsmasq.conf, then systemctl restart dnsmasq`,
        'the gateways must answer DNS on the anycast IP (the resolver listens on fftr-gw-anycast)',
      ];
    case 'anycast-ipv6-on-bridge':
      return [
        `ip -6 addr del ${ip}/128 dev br-fftr   # keep the anycast IPv6 only on fftr-gw-anycast`,
        "and remove it from br-fftr's configuration (/etc/network/interfaces, systemd-networkd), so a restart does not bring it back",
      ];
    case 'proxy-ndp':
      return [`ip -6 neigh del proxy ${ip} dev br-fftr`, 'sysctl -w net.ipv6.conf.br-fftr.proxy_ndp=0   # and in /etc/sysctl.d/, unless other proxies need it'];
    case 'radv-on-bridge':
      return [
        'BIRD: protocol radv { interface "fftr-gw-anycast" { … }; }   # not "br-fftr"; then: birdc configure',
        'radvd: interface fftr-gw-anycast { … };   # in /etc/radvd.conf, not br-fftr; then: systemctl restart radvd',
      ];
    case 'anycast-link-local-not-eui64': {
      const e = f.evidence.kind === 'ra-not-from-anycast' ? f.evidence : undefined;
      const linkLocal = e !== undefined ? formatIpv6(linkLocalFromMac(e.anycastMac, new Uint32Array(4))) : 'fe80::<EUI-64 of the anycast MAC>';
      return [
        `ip -6 addr show dev fftr-gw-anycast scope link   # on each gateway: the one showing ${e !== undefined ? formatIpv6(e.routerAddress) : 'the router address above'}`,
        'sysctl -w net.ipv6.conf.fftr-gw-anycast.addr_gen_mode=0   # link-local from the MAC (EUI-64), the same on every gateway',
        `ip -6 addr flush dev fftr-gw-anycast scope link && ip -6 addr add ${linkLocal}/64 dev fftr-gw-anycast`,
      ];
    }
    case 'gateways-disagree-ra':
      return [
        'compare the RA settings on every gateway (BIRD: protocol radv; radvd: /etc/radvd.conf): prefixes, lifetimes, rdnss, mtu must be identical',
        'birdc show protocols all   # or: radvdump, on a client of each gateway',
      ];
    case 'moved-nat-state-lost':
      return [
        'iptables -t nat -S POSTROUTING; nft list table ip nat   # on each gateway: MASQUERADE/SNAT on the uplink gives each gateway its own translations',
        'share the state (conntrackd between the gateways) or NAT once behind all gateways (at the VPN exit), so a moved connection keeps its address',
        'batctl gwl; batctl gw_mode   # why the client changed gateway: a gateway selection that flaps moves connections',
      ];
    case 'moved-connection-dropped':
      return [
        'iptables -S FORWARD; nft list ruleset   # on this gateway: a --state ESTABLISHED,RELATED rule drops what another gateway let begin',
        'sysctl net.netfilter.nf_conntrack_tcp_loose   # 0: mid-stream packets are INVALID and dropped; 1 (default) picks them up',
        'share the state (conntrackd between the gateways), or accept the mesh prefix both ways on every gateway',
      ];
  }
}

export function evidenceText(e: GatewayEvidence): string {
  switch (e) {
    case 'configured':
      return 'configured';
    case 'interface':
      return "this host's bridge";
    case 'claimed-anycast-ip':
      return 'learned: claimed the anycast IP';
    case 'sourced-anycast-ip':
      return 'learned: sent packets from the anycast IP';
    case 'answered-anycast-traffic':
      return 'learned: answered traffic sent to the anycast MAC';
    case 'answered-gateway-traffic':
      return 'learned: answered traffic sent to another gateway';
    case 'sent-router-advert':
      return 'learned: sent router advertisements';
    case 'dhcp-server':
      return 'learned: a DHCP server (offers and acks)';
  }
}
