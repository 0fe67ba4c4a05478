#!/usr/bin/env bash
# Measures the traffic mix of a capture with tcpdump filters (tagged and
# untagged frames alike): the check that bench-generate makes what it says.
#
#   bench/mix.sh FILE.pcap
set -uo pipefail
file=${1:?usage: bench/mix.sh FILE.pcap}
total=$(tcpdump -nn -q -r "$file" 2>/dev/null | wc -l)

GW_SRC='(ether src 02:00:00:00:01:01 or ether src 02:00:00:00:02:01 or ether src 02:00:00:00:03:01)'
GW_DST='(ether dst 02:00:00:00:01:01 or ether dst 02:00:00:00:02:01 or ether dst 02:00:00:00:03:01)'

count() { tcpdump -nn -q -r "$file" "$1" 2>/dev/null | wc -l; }
# Same filter on untagged frames and on 802.1Q-tagged ones.
both() { count "($1) or (vlan and ($1))"; }
row() { awk -v l="$1" -v n="$2" -v t="$total" 'BEGIN { printf "| %s | %d | %.1f %% |\n", l, n, 100 * n / t }'; }

echo "| What | Frames | Share |"
echo "|---|---:|---:|"
row "all frames" "$total"
row "802.1Q-tagged" "$(count vlan)"
row "ARP" "$(both arp)"
row "  ARP reply for 10.172.0.10 from a gateway unicast MAC (arp_filter fault)" "$(both "arp[6:2] = 2 and arp[14:4] = 0x0aac000a and $GW_SRC")"
row "ICMP echo request" "$(both 'icmp[0] = 8')"
row "ICMP echo reply" "$(both 'icmp[0] = 0')"
row "TCP" "$(both 'ip and tcp')"
row "UDP" "$(both 'ip and udp')"
row "  gateway ↔ gateway (TCP/UDP)" "$(both "ip and (tcp or udp) and $GW_SRC and $GW_DST")"
row "  from a gateway unicast MAC to a client (forwarded)" "$(both "ip and $GW_SRC and ether[0:4] = 0x020000cc")"
row "IPv6" "$(both ip6)"
row "  NDP NS / NA / RA" "$(both 'icmp6 and (ip6[40] = 135 or ip6[40] = 136 or ip6[40] = 134)')"
row "  ICMPv6 echo request/reply" "$(both 'icmp6 and (ip6[40] = 128 or ip6[40] = 129)')"
row "60-byte frames (minimum)" "$(count 'len = 60')"
row "≥ 1514-byte frames (full MTU)" "$(count 'len >= 1514')"
