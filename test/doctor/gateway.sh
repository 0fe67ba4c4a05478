#!/usr/bin/env bash
# One anycast gateway in a network namespace, configured as the seed
# community deployed the recipe (../shared/FIELD.md): bat0 (a veth standing
# in for batman-adv) in br-fftr, the macvlan fftr-gw-anycast with the anycast
# MAC and addresses, arp_filter, rp_filter off, tables 10 VPN / 11 anycast,
# iptables with a dropping FORWARD policy and every br-fftr accept rule
# duplicated for fftr-gw-anycast, isc-dhcp-server and BIRD radv config files.
#
#   gateway.sh up NS CONFDIR [BREAK]   build it in namespace NS (created here),
#                                      config files under CONFDIR; BREAK breaks one setting
#   gateway.sh down NS                 remove namespace NS and its /etc/netns/NS
#
# BREAK (one, or several comma-separated): healthy (default), field (the return path as deployed: ESTABLISHED,RELATED
# only), arp-filter, rp-filter, no-source-rule, no-source-route, anycast-down, dad-on,
# firewall-anycast, uplink-rule, invalid-drop, dhcp-router, radv-bridge, macvlan-private, no-forwarding.
# GW_FIREWALL=nft writes the firewall as an nftables ruleset instead of iptables, GW_FIREWALL=legacy with iptables-legacy.
# Only namespaces whose name the caller passes are touched.
set -euo pipefail

ANYCAST_MAC=26:61:96:60:00:dc
ANYCAST_IP=10.172.0.10
ANYCAST_IP6=2001:bf7:fc0f::10
MESH=10.172.0.0/16

die() { echo "gateway.sh: $*" >&2; exit 1; }

# BREAK may name several settings, comma-separated.
BRK=healthy
broken() { [[ ",$BRK," == *",$1,"* ]]; }

up() {
  local ns=$1 conf=$2
  BRK=${3:-healthy}
  [[ $ns == acpdoc-* ]] || die "namespace name must start with acpdoc-: $ns"
  mkdir -p "$conf" "/etc/netns/$ns/iproute2"
  # ip netns exec bind-mounts /etc/netns/NS/iproute2 over /etc/iproute2: the table names exist in NS only.
  printf '255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n10\tVPN\n11\tanycast\n' >"/etc/netns/$ns/iproute2/rt_tables"
  ip netns add "$ns"
  local x="ip netns exec $ns"
  $x sysctl -q -w net.ipv4.ip_forward="$(broken no-forwarding && echo 0 || echo 1)" net.ipv6.conf.all.forwarding=1
  $x ip link set lo up
  $x ip link add br-fftr type bridge
  # No dummy driver everywhere: a veth stands in for batman-adv's bat0, a tun device for the VPN.
  $x ip link add bat0 type veth peer name bat0-peer
  $x ip link set bat0 master br-fftr
  $x ip tuntap add dev tun0 mode tun
  $x ip link set dev br-fftr address 02:00:00:00:01:01
  $x ip addr add 10.172.0.1/16 dev br-fftr
  $x ip addr add 2001:bf7:fc0f::1/64 dev br-fftr nodad
  $x ip addr add 100.64.0.2/30 dev tun0
  for l in bat0 bat0-peer br-fftr tun0; do $x ip link set "$l" up; done
  $x ip link add link br-fftr name fftr-gw-anycast type macvlan mode "$(broken macvlan-private && echo private || echo bridge)"
  $x ip link set dev fftr-gw-anycast address "$ANYCAST_MAC"
  $x ip addr add "$ANYCAST_IP/16" dev fftr-gw-anycast
  if broken dad-on; then
    $x ip addr add "$ANYCAST_IP6/128" dev fftr-gw-anycast
  else
    $x ip addr add "$ANYCAST_IP6/128" dev fftr-gw-anycast nodad
  fi
  $x ip link set fftr-gw-anycast up

  $x sysctl -q -w net.ipv4.conf.all.arp_filter=$(broken arp-filter && echo 0 || echo 1)
  $x sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.br-fftr.rp_filter=0
  $x sysctl -q -w net.ipv4.conf.fftr-gw-anycast.rp_filter=$(broken rp-filter && echo 1 || echo 0)

  $x ip route add default via 100.64.0.1 dev tun0 table VPN
  $x ip -6 route add default dev tun0 table VPN
  broken uplink-rule || $x ip rule add from "$MESH" table VPN priority 100
  $x ip rule add iif br-fftr table VPN priority 101
  $x ip -6 rule add iif br-fftr table VPN priority 101
  $x ip -6 rule add from 2001:bf7:fc00::/44 table VPN priority 100
  broken no-source-rule || $x ip rule add from "$ANYCAST_IP/32" table anycast priority 90
  broken no-source-route || $x ip route add "$MESH" dev fftr-gw-anycast table anycast

  local anycast_fwd="-A FORWARD -i fftr-gw-anycast -o tun0 -j ACCEPT"
  broken firewall-anycast && anycast_fwd=""
  local return_path="-A FORWARD -i tun0 -o br-fftr -j ACCEPT"
  broken field && return_path="-A FORWARD -i tun0 -o br-fftr -m state --state RELATED,ESTABLISHED -j ACCEPT"
  local invalid=""
  broken invalid-drop && invalid="-A FORWARD -m conntrack --ctstate INVALID -j DROP"
  if [[ ${GW_FIREWALL:-iptables} == nft ]]; then
    # The same firewall written for nftables (GW_FIREWALL=nft).
    local nft_anycast='iifname "fftr-gw-anycast" oifname "tun0" accept'
    broken firewall-anycast && nft_anycast=''
    local nft_return='iifname "tun0" oifname "br-fftr" accept'
    broken field && nft_return='iifname "tun0" oifname "br-fftr" ct state established,related accept'
    local nft_invalid=''
    broken invalid-drop && nft_invalid='ct state invalid drop'
    $x nft -f - <<EOF
table inet fftr {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "br-fftr" udp dport 53 accept
    iifname "fftr-gw-anycast" udp dport 53 accept
  }
  chain forward {
    type filter hook forward priority 0; policy drop;
    $nft_invalid
    iifname "br-fftr" oifname "tun0" accept
    $nft_anycast
    $nft_return
    iifname "br-fftr" oifname "br-fftr" accept
    iifname "fftr-gw-anycast" oifname "br-fftr" accept
    oifname "tun0" tcp flags syn tcp option maxseg size set 1334
  }
}
EOF
  else
  # GW_FIREWALL=legacy: the same rules through iptables-legacy, which the nf_tables iptables-save does not show.
  local restore=iptables-restore
  [[ ${GW_FIREWALL:-iptables} == legacy ]] && restore=iptables-legacy-restore
  $x $restore <<EOF
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i br-fftr -p udp -m udp --dport 53 -j ACCEPT
-A INPUT -i fftr-gw-anycast -p udp -m udp --dport 53 -j ACCEPT
$invalid
-A FORWARD -i br-fftr -o tun0 -j ACCEPT
$anycast_fwd
$return_path
-A FORWARD -i br-fftr -o br-fftr -j ACCEPT
-A FORWARD -i fftr-gw-anycast -o br-fftr -j ACCEPT
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A FORWARD -o tun0 -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1334
COMMIT
EOF
  fi

  local router=$ANYCAST_IP
  broken dhcp-router && router=10.172.0.1
  cat >"$conf/dhcpd.conf" <<EOF
authoritative;
default-lease-time 600;
max-lease-time 3600;
subnet 10.172.0.0 netmask 255.255.0.0 {
  range 10.172.128.0 10.172.191.254;
  option routers $router;
  option domain-name-servers $ANYCAST_IP;
}
EOF
  # Down last, as an operator's `ip link set … down` would leave it (the kernel then drops its routes).
  if broken anycast-down; then $x ip link set fftr-gw-anycast down; fi

  local radv_if=fftr-gw-anycast
  broken radv-bridge && radv_if=br-fftr
  cat >"$conf/bird6.conf" <<EOF
router id 10.172.0.1;
protocol device { scan time 10; }
protocol radv {
  interface "$radv_if" {
    max ra interval 60;
    prefix 2001:bf7:fc0f::/64 { };
    rdnss $ANYCAST_IP6;
  };
}
EOF
}

down() {
  local ns=$1
  [[ $ns == acpdoc-* ]] || die "namespace name must start with acpdoc-: $ns"
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "/etc/netns/$ns"
}

case ${1:-} in
  up) up "$2" "$3" "${4:-healthy}" ;;
  down) down "$2" ;;
  *) die "usage: gateway.sh up NS CONFDIR [BREAK] | down NS" ;;
esac
