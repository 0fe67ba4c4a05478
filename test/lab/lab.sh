#!/usr/bin/env bash
# anycast-probe network-namespace lab: L2 anycast gateways on an imitated
# batman-adv mesh. All traffic stays inside namespaces created here (prefix acp-).
# Scenarios with daemons (radvd-on-bridge and the IPv6 scenarios: radvd; dnsmasq-unicast-router:
# dnsmasq and udhcpc; nat-moved-connection: a node TCP echo server in acp-inet and a node client
# in c1) start them inside the namespaces, each under `timeout`, and `down` ends them by PID.
#
#   lab.sh up SCENARIO          build the lab for SCENARIO
#   lab.sh down                 remove every acp-* namespace (idempotent)
#   lab.sh run SCENARIO OUT.pcap  up, capture on the mesh bridge, probe, down
#   lab.sh scenarios            list scenarios
#
# Environment knobs (defaults give the fixtures in fixtures/lab/):
#   LAB_IPV6=1             leave IPv6 enabled (default: disabled in every netns, except
#                          for the scenarios in IPV6_SCENARIOS, which need it); with IPv6 on,
#                          the gateways forward IPv6 too
#   LAB_MACVLAN_MODE=bridge  macvlan mode of fftr-gw-anycast (bridge|private|vepa|passthru)
#   LAB_ANYCAST_FIRST=1    configure the anycast macvlan address before br-fftr's
#                          unicast address (changes which connected 10.172.0.0/16
#                          route wins in the main table)
#   LAB_EXTRA_SYSCTL="acp-gw1:net.ipv4.conf.all.arp_ignore=1 ..."  extra sysctls
#                          applied after the lab is built (experiments)
#   LAB_STATE=FILE         `run` writes neighbour/FDB/route state dumps to FILE
#   LAB_CAPTURE_AT=mesh    where `run` captures: mesh (default: tcpdump on the mesh bridge
#                          br-fftr in acp-mesh, from before the gateways exist), gw1 (tcpdump
#                          in acp-gw1 on its br-fftr, started as soon as that bridge is up: what
#                          an operator gets on one gateway), any (tcpdump -i any in acp-mesh,
#                          Linux cooked capture v2: each frame once per mesh port it crosses)
#
# See test/lab/FINDINGS.md for the address/MAC plan and what the kernel did.
set -euo pipefail

# LAB_NS_PREFIX lets two labs (a test run and a CI clone, say) run side by side:
# every name below, and `down`, use it. LAB_EXTRA_SYSCTL names keep "acp-".
NS_PREFIX=${LAB_NS_PREFIX:-acp-}
[[ "$NS_PREFIX" =~ ^acp[a-z0-9]*-$ ]] || { echo "[lab] ERROR: LAB_NS_PREFIX must look like acp-, acp42- (got '$NS_PREFIX')" >&2; exit 2; }
NS_MESH=${NS_PREFIX}mesh NS_GW1=${NS_PREFIX}gw1 NS_GW2=${NS_PREFIX}gw2 NS_C1=${NS_PREFIX}c1 NS_C2=${NS_PREFIX}c2 NS_INET=${NS_PREFIX}inet
ALL_NS=("$NS_C1" "$NS_C2" "$NS_GW1" "$NS_GW2" "$NS_INET" "$NS_MESH")

ANYCAST_MAC=02:ca:fe:00:00:01
ANYCAST_IP=10.172.0.10
ANYCAST_IP6=2001:db8:fc0f::10
PREFIX6=2001:db8:fc0f::/64
SUBNET=10.172.0.0/16
INET_HOST=192.0.2.1
TCP_PORT=8080
# nat-moved-connection: the address each gateway's exit translates its clients to (a VPN
# provider's NAT, one per gateway, imitated in acp-inet).
EXIT_GW1=203.0.113.1 EXIT_GW2=203.0.113.2
TABLE=100

# MAC plan (fixed so the fixtures are interpretable)
MAC_MESH_BR=02:00:00:00:ee:00
MAC_M_GW1=02:00:00:00:ee:01 MAC_M_GW2=02:00:00:00:ee:02
MAC_M_C1=02:00:00:00:ee:11  MAC_M_C2=02:00:00:00:ee:12
MAC_GW1_BR=02:00:00:00:01:01 MAC_GW1_BAT=02:00:00:00:01:02 MAC_GW1_UP=02:00:00:00:01:10
MAC_GW2_BR=02:00:00:00:02:01 MAC_GW2_BAT=02:00:00:00:02:02 MAC_GW2_UP=02:00:00:00:02:10
MAC_C1=02:00:00:00:0c:01 MAC_C2=02:00:00:00:0c:02
MAC_INET_GW1=02:00:00:00:99:01 MAC_INET_GW2=02:00:00:00:99:02

# IPv6 plan of the IPv6-only scenarios (V6_SCENARIOS): gateway N has 2001:db8:fc0f::N/64 on
# br-fftr and the anycast ANYCAST_IP6/128 on fftr-gw-anycast (nodad), clients ::c1/::c2.
INET_HOST6=2001:db8:ffff::1

SCENARIOS=(healthy arp-filter-off-one arp-filter-off-both no-source-route rp-filter-strict return-via-other arp-filter-off-expiry
  radvd-on-bridge dnsmasq-unicast-router nat-moved-connection no-source-route-both
  healthy-v6 v6-anycast-on-bridge v6-no-source-route)
# The IPv6-only scenarios: IPv6 anycast as the field configured it (../shared/FIELD.md), radvd on
# both macvlans; the clients have no IPv4 address and the probe sends only IPv6.
V6_SCENARIOS=(healthy-v6 v6-anycast-on-bridge v6-no-source-route)
# Scenarios whose daemons need IPv6 in every namespace (LAB_IPV6=1 for them alone).
IPV6_SCENARIOS=(radvd-on-bridge "${V6_SCENARIOS[@]}")
# How long a lab daemon (radvd, dnsmasq) may live at most, in seconds: `down` ends it by
# PID long before; this bounds it if `down` never runs (SIGKILL of this script).
DAEMON_TIMEOUT=90

log() { echo "[lab] $*" >&2; }
die() { echo "[lab] ERROR: $*" >&2; exit 1; }

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
sc() { ip netns exec "$1" sysctl -q -w "$2" >/dev/null; }

TCPDUMP_PID=""
SCEN=""
# `run`'s capture: where (LAB_CAPTURE_AT), the file, the snap length. CAP_OUT is empty outside `run`.
CAP_AT=${LAB_CAPTURE_AT:-mesh}
CAP_OUT=""
CAP_SNAP=256
# PIDs of the daemons a scenario started (each a `timeout` around the daemon), and the directory
# of their configuration and logs (one per prefix, so `down` in another invocation removes it).
DAEMON_PIDS=()
DAEMON_DIR=/tmp/${NS_PREFIX}lab-daemons

ipv6_on() {
  [[ "${LAB_IPV6:-0}" == 1 ]] && return 0
  local s
  for s in "${IPV6_SCENARIOS[@]}"; do [[ "$SCEN" == "$s" ]] && return 0; done
  return 1
}

v6_only() {
  local s
  for s in "${V6_SCENARIOS[@]}"; do [[ "$SCEN" == "$s" ]] && return 0; done
  return 1
}

# Starts `run`'s tcpdump in NS on IFACE (extra tcpdump options after it), writing CAP_OUT, and
# waits (bounded) until it has written the file header. `down` ends it by PID. --immediate-mode:
# without it the frames of the last second before the SIGINT stayed in the kernel's capture
# ring (a TPACKET_V3 block not yet handed over) and were lost.
start_capture() {
  local ns=$1 iface=$2; shift 2
  rm -f "$CAP_OUT"
  ip netns exec "$ns" tcpdump -Z root -i "$iface" "$@" --immediate-mode -U -s "$CAP_SNAP" -c 500 -w "$CAP_OUT" 2>/dev/null &
  TCPDUMP_PID=$!
  local n=0
  until [[ -s "$CAP_OUT" ]] || (( n++ >= 25 )); do
    kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump in $ns on $iface did not start"
    sleep 0.2
  done
  sleep 0.5
  log "capturing in $ns on $iface (tcpdump pid $TCPDUMP_PID)"
}

stop_daemons() {
  local pid
  for pid in "${DAEMON_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${DAEMON_PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  DAEMON_PIDS=()
  rm -rf "$DAEMON_DIR"
}

down() {
  stop_daemons
  if [[ -n "${WATCH_PID:-}" ]] && kill -0 "$WATCH_PID" 2>/dev/null; then
    kill -INT "$WATCH_PID" 2>/dev/null || true
    sleep 1
    kill -KILL "$WATCH_PID" 2>/dev/null || true
    WATCH_PID=""
  fi
  if [[ -n "$TCPDUMP_PID" ]] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
    kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$TCPDUMP_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$TCPDUMP_PID" 2>/dev/null || true
    TCPDUMP_PID=""
  fi
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NS_PREFIX}" || true); do
    # kill only processes still living inside our own namespaces, by PID
    local pids
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}

valid_scenario() {
  local s
  for s in "${SCENARIOS[@]}"; do [[ "$1" == "$s" ]] && return 0; done
  return 1
}

mkns() {
  local ns=$1
  ip netns add "$ns"
  nsx "$ns" ip link set lo up
  if ! ipv6_on; then
    sc "$ns" net.ipv6.conf.all.disable_ipv6=1
    sc "$ns" net.ipv6.conf.default.disable_ipv6=1
  fi
  # explicit, host-independent IPv4 defaults
  local k
  for k in all default; do
    sc "$ns" net.ipv4.conf.$k.rp_filter=0
    sc "$ns" net.ipv4.conf.$k.arp_filter=0
    sc "$ns" net.ipv4.conf.$k.arp_ignore=0
    sc "$ns" net.ipv4.conf.$k.arp_announce=0
    sc "$ns" net.ipv4.conf.$k.arp_notify=0
  done
}

# veth pair between namespaces: veth NS_A IF_A MAC_A NS_B IF_B MAC_B
# (created directly inside the namespaces; nothing touches the host's netns)
veth() {
  ip -n "$1" link add "$2" address "$3" type veth peer name "$5" address "$6" netns "$4"
}

build_mesh() {
  mkns "$NS_MESH"
  nsx "$NS_MESH" ip link add br-fftr address "$MAC_MESH_BR" type bridge stp_state 0 mcast_snooping 0
  nsx "$NS_MESH" ip link set br-fftr up
}

build_rest() {
  local scen=$1 g
  for g in "$NS_GW1" "$NS_GW2" "$NS_C1" "$NS_C2" "$NS_INET"; do mkns "$g"; done

  # ---- links ----
  veth "$NS_MESH" m-gw1 "$MAC_M_GW1" "$NS_GW1" bat0 "$MAC_GW1_BAT"
  veth "$NS_MESH" m-gw2 "$MAC_M_GW2" "$NS_GW2" bat0 "$MAC_GW2_BAT"
  veth "$NS_MESH" m-c1 "$MAC_M_C1" "$NS_C1" eth0 "$MAC_C1"
  veth "$NS_MESH" m-c2 "$MAC_M_C2" "$NS_C2" eth0 "$MAC_C2"
  veth "$NS_GW1" up0 "$MAC_GW1_UP" "$NS_INET" to-gw1 "$MAC_INET_GW1"
  veth "$NS_GW2" up0 "$MAC_GW2_UP" "$NS_INET" to-gw2 "$MAC_INET_GW2"

  # ---- mesh bridge: imitate batman-adv's nearest-gateway choice ----
  local p
  for p in m-gw1 m-gw2 m-c1 m-c2; do
    nsx "$NS_MESH" ip link set "$p" master br-fftr
    nsx "$NS_MESH" ip link set "$p" up
  done
  # Gateway ports do not learn: the anycast MAC appears as source on both of them
  # and must stay "unknown unicast" (flooded, then filtered below). The gateways'
  # unicast bridge MACs get static entries instead.
  nsx "$NS_MESH" bridge link set dev m-gw1 learning off
  nsx "$NS_MESH" bridge link set dev m-gw2 learning off
  nsx "$NS_MESH" bridge fdb add "$MAC_GW1_BR" dev m-gw1 master static
  nsx "$NS_MESH" bridge fdb add "$MAC_GW2_BR" dev m-gw2 master static
  nsx "$NS_MESH" nft -f - <<EOF
table bridge acp_mesh {
  chain forward_filter {
    type filter hook forward priority 0; policy accept;
    ether daddr $ANYCAST_MAC iifname "m-c1" oifname != "m-gw1" counter drop
    ether daddr $ANYCAST_MAC iifname "m-c2" oifname != "m-gw2" counter drop
  }
}
EOF

  # ---- gateways ----
  local i ns br_mac brip upip upgw
  for i in 1 2; do
    ns=${NS_PREFIX}gw$i
    if [[ $i == 1 ]]; then br_mac=$MAC_GW1_BR; upip=198.51.100.1/30; upgw=198.51.100.2
    else br_mac=$MAC_GW2_BR; upip=198.51.100.5/30; upgw=198.51.100.6; fi
    brip=10.172.0.$i/16

    sc "$ns" net.ipv4.ip_forward=1
    if ipv6_on; then sc "$ns" net.ipv6.conf.all.forwarding=1; fi
    local af=1 rpf=0 srcroute=1 srcroute6=1
    case "$scen" in
      arp-filter-off-one | arp-filter-off-expiry) [[ $i == 1 ]] && af=0 ;;
      arp-filter-off-both) af=0 ;;
      no-source-route) [[ $i == 1 ]] && srcroute=0 ;;
      no-source-route-both) srcroute=0 ;;
      rp-filter-strict) [[ $i == 1 ]] && rpf=1 ;;
      v6-no-source-route) [[ $i == 1 ]] && srcroute6=0 ;;
    esac
    sc "$ns" net.ipv4.conf.all.arp_filter=$af
    sc "$ns" net.ipv4.conf.all.rp_filter=0
    sc "$ns" net.ipv4.conf.default.rp_filter=0

    nsx "$ns" ip link add br-fftr address "$br_mac" type bridge stp_state 0 mcast_snooping 0
    nsx "$ns" ip link set bat0 master br-fftr
    nsx "$ns" ip link set bat0 up
    nsx "$ns" ip link set up0 up
    nsx "$ns" ip link add fftr-gw-anycast link br-fftr address "$ANYCAST_MAC" \
      type macvlan mode "${LAB_MACVLAN_MODE:-bridge}"
    if v6_only; then
      # The macvlan's EUI-64 link-local fe80::ca:feff:fe00:1 is the same on every gateway: no DAD
      # for it (set before the link comes up), as `dad-attempts 0` does for the anycast address.
      sc "$ns" net.ipv6.conf.fftr-gw-anycast.accept_dad=0
      sc "$ns" net.ipv6.conf.fftr-gw-anycast.dad_transmits=0
    fi
    sc "$ns" net.ipv4.conf.br-fftr.rp_filter=$rpf
    sc "$ns" net.ipv4.conf.fftr-gw-anycast.rp_filter=$rpf
    sc "$ns" net.ipv4.conf.br-fftr.arp_filter=$af
    sc "$ns" net.ipv4.conf.fftr-gw-anycast.arp_filter=$af
    if [[ "${LAB_ANYCAST_FIRST:-0}" == 1 ]]; then
      nsx "$ns" ip addr add "$ANYCAST_IP/16" dev fftr-gw-anycast
      v6_only && nsx "$ns" ip -6 addr add "$ANYCAST_IP6/128" dev fftr-gw-anycast nodad
      nsx "$ns" ip link set fftr-gw-anycast up
      nsx "$ns" ip addr add "$brip" dev br-fftr
      v6_only && nsx "$ns" ip -6 addr add "2001:db8:fc0f::$i/64" dev br-fftr
      nsx "$ns" ip link set br-fftr up
      gw1_capture "$i"
    else
      nsx "$ns" ip addr add "$brip" dev br-fftr
      v6_only && nsx "$ns" ip -6 addr add "2001:db8:fc0f::$i/64" dev br-fftr
      nsx "$ns" ip link set br-fftr up
      gw1_capture "$i"
      nsx "$ns" ip addr add "$ANYCAST_IP/16" dev fftr-gw-anycast
      v6_only && nsx "$ns" ip -6 addr add "$ANYCAST_IP6/128" dev fftr-gw-anycast nodad
      nsx "$ns" ip link set fftr-gw-anycast up
    fi
    if [[ $srcroute == 1 ]]; then
      nsx "$ns" ip rule add from "$ANYCAST_IP/32" table "$TABLE" priority 1000
      nsx "$ns" ip route add table "$TABLE" "$SUBNET" dev fftr-gw-anycast
    fi
    nsx "$ns" ip addr add "$upip" dev up0
    nsx "$ns" ip route add default via "$upgw" dev up0
    if v6_only; then
      # The same source route for the anycast IPv6 (the field had it for IPv4 only: v6-no-source-route).
      if [[ $srcroute6 == 1 ]]; then
        nsx "$ns" ip -6 rule add from "$ANYCAST_IP6/128" table "$TABLE" priority 1000
        nsx "$ns" ip -6 route add table "$TABLE" "$PREFIX6" dev fftr-gw-anycast
      fi
      # v6-anycast-on-bridge: the anycast IPv6 also on gw1's bridge (nodad, as on the macvlan).
      if [[ "$scen" == v6-anycast-on-bridge && $i == 1 ]]; then
        nsx "$ns" ip -6 addr add "$ANYCAST_IP6/128" dev br-fftr nodad
      fi
      # Uplink (never captured): no DAD, so the routes work at once.
      nsx "$ns" ip -6 addr add "2001:db8:ff0$i::1/64" dev up0 nodad
      nsx "$ns" ip -6 route add default via "2001:db8:ff0$i::2" dev up0
    fi
  done

  # ---- "internet" router + host 192.0.2.1 (no NAT; see FINDINGS.md) ----
  # (no dummy driver in this kernel: the host address lives on lo)
  nsx "$NS_INET" ip addr add "$INET_HOST/32" dev lo
  nsx "$NS_INET" ip addr add 198.51.100.2/30 dev to-gw1
  nsx "$NS_INET" ip addr add 198.51.100.6/30 dev to-gw2
  nsx "$NS_INET" ip link set to-gw1 up
  nsx "$NS_INET" ip link set to-gw2 up
  nsx "$NS_INET" ip route add "$SUBNET" via 198.51.100.1 dev to-gw1
  if [[ "$scen" == return-via-other ]]; then
    nsx "$NS_INET" ip route add 10.172.1.1/32 via 198.51.100.5 dev to-gw2
  else
    nsx "$NS_INET" ip route add 10.172.1.1/32 via 198.51.100.1 dev to-gw1
  fi
  nsx "$NS_INET" ip route add 10.172.1.2/32 via 198.51.100.5 dev to-gw2
  if v6_only; then
    # The IPv6 host, routed back to each client through its nearest gateway, as for IPv4.
    nsx "$NS_INET" ip -6 addr add "$INET_HOST6/128" dev lo
    nsx "$NS_INET" ip -6 addr add 2001:db8:ff01::2/64 dev to-gw1 nodad
    nsx "$NS_INET" ip -6 addr add 2001:db8:ff02::2/64 dev to-gw2 nodad
    nsx "$NS_INET" ip -6 route add "$PREFIX6" via 2001:db8:ff01::1 dev to-gw1
    nsx "$NS_INET" ip -6 route add 2001:db8:fc0f::c1/128 via 2001:db8:ff01::1 dev to-gw1
    nsx "$NS_INET" ip -6 route add 2001:db8:fc0f::c2/128 via 2001:db8:ff02::1 dev to-gw2
  fi
  if [[ "$scen" == nat-moved-connection ]]; then
    # NAT per gateway, at its exit: what arrives from gw1 reaches the host from EXIT_GW1,
    # from gw2 from EXIT_GW2, each exit with its own translations (a conntrack zone each). Not on the gateways themselves: there conntrack does not
    # track what arrives through the anycast macvlan (FINDINGS.md, nat-moved-connection).
    nsx "$NS_INET" nft -f - <<EOF
table ip acp_exit_nat {
  # One conntrack zone per exit, so the two exits keep separate translations as two boxes would.
  chain zone_in {
    type filter hook prerouting priority -300; policy accept;
    iifname "to-gw1" ct zone set 1
    iifname "to-gw2" ct zone set 2
  }
  chain zone_out {
    type filter hook output priority -300; policy accept;
    ip daddr $EXIT_GW1 ct zone set 1
    ip daddr $EXIT_GW2 ct zone set 2
  }
  chain input {
    type nat hook input priority 100; policy accept;
    iifname "to-gw1" ip saddr $SUBNET snat to $EXIT_GW1
    iifname "to-gw2" ip saddr $SUBNET snat to $EXIT_GW2
  }
  chain output {
    type nat hook output priority -100; policy accept;
  }
}
EOF
    # The host answers the exit addresses; the reply's route is looked up before the NAT
    # restores the client's address (and looked up again after).
    nsx "$NS_INET" ip route add "$EXIT_GW1/32" via 198.51.100.1 dev to-gw1
    nsx "$NS_INET" ip route add "$EXIT_GW2/32" via 198.51.100.5 dev to-gw2
  fi

  # ---- extra per-namespace sysctls for experiments (LAB_EXTRA_SYSCTL) ----
  local kv
  for kv in ${LAB_EXTRA_SYSCTL:-}; do
    local target=${kv%%:*}
    sc "${NS_PREFIX}${target#acp-}" "${kv#*:}"
  done

  # ---- clients ----
  for i in 1 2; do
    ns=${NS_PREFIX}c$i
    if v6_only; then
      # No IPv4 at all; a static ::cN/64 (no SLAAC address beside it), the default route from the RAs.
      sc "$ns" net.ipv6.conf.eth0.accept_ra=1
      sc "$ns" net.ipv6.conf.eth0.autoconf=0
      nsx "$ns" ip -6 addr add "2001:db8:fc0f::c$i/64" dev eth0
      nsx "$ns" ip link set eth0 up
      continue
    fi
    nsx "$ns" ip addr add 10.172.1.$i/16 dev eth0
    nsx "$ns" ip link set eth0 up
    nsx "$ns" ip route add default via "$ANYCAST_IP" dev eth0
  done

  start_daemons "$scen"
}

# LAB_CAPTURE_AT=gw1: `run`'s capture starts in gw1 as soon as its br-fftr is up (tcpdump
# refuses a device that is down), before its macvlan is up. gw1_capture GATEWAY_NUMBER
gw1_capture() {
  [[ -n "$CAP_OUT" && "$CAP_AT" == gw1 && $1 == 1 ]] || return 0
  start_capture "$NS_GW1" br-fftr
}

# Starts a daemon in a namespace, bounded by DAEMON_TIMEOUT; `down` ends it by PID.
# daemon NS NAME COMMAND...
daemon() {
  local ns=$1 name=$2; shift 2
  timeout "$DAEMON_TIMEOUT" ip netns exec "$ns" "$@" >"$DAEMON_DIR/$name.log" 2>&1 &
  DAEMON_PIDS+=($!)
  log "$name started in $ns (pid $!)"
}

# The daemons of the scenarios that need one, both configured as the operator did:
#  radvd-on-bridge: gw1's radvd advertises on br-fftr (the configuration from before
#    anycast), gw2's on fftr-gw-anycast (right); same prefix and options on both.
#  dnsmasq-unicast-router: gw1's dnsmasq keeps its default router option, the address
#    of the interface it serves (10.172.0.1); gw2's names the anycast IP. DNS names the
#    anycast IP on both, each gateway has a range of its own (../shared/FIELD.md).
#  the IPv6 scenarios (V6_SCENARIOS): radvd on fftr-gw-anycast of both gateways, as the field's
#    BIRD radv: prefix PREFIX6, RDNSS the anycast IPv6.
start_daemons() {
  local scen=$1
  case "$scen" in
    radvd-on-bridge | dnsmasq-unicast-router | nat-moved-connection) ;;
    *) v6_only || return 0 ;;
  esac
  rm -rf "$DAEMON_DIR"
  mkdir -m 700 "$DAEMON_DIR"
  local i
  if [[ "$scen" == nat-moved-connection ]]; then
    # A TCP echo server on the host behind the gateways (bounded by its own timer too).
    cat >"$DAEMON_DIR/tcp-server.cjs" <<EOF
const net = require('node:net');
const server = net.createServer((c) => {
  c.on('data', (d) => c.write(d));
  c.on('error', (e) => console.error(\`[server] \${e.code}\`));
});
server.listen($TCP_PORT, '$INET_HOST', () => console.error('[server] listening'));
setTimeout(() => process.exit(0), ${DAEMON_TIMEOUT}000).unref();
EOF
    daemon "$NS_INET" tcp-server node "$DAEMON_DIR/tcp-server.cjs"
    return 0
  fi
  if [[ "$scen" == radvd-on-bridge ]] || v6_only; then
    command -v radvd >/dev/null || die "$scen needs radvd (apt-get install radvd)"
    local iface
    for i in 1 2; do
      if [[ $i == 1 && "$scen" == radvd-on-bridge ]]; then iface=br-fftr; else iface=fftr-gw-anycast; fi
      printf '%s\n' "interface $iface {" '  AdvSendAdvert on;' '  MinRtrAdvInterval 3;' '  MaxRtrAdvInterval 4;' \
        "  prefix $PREFIX6 { };" "  RDNSS $ANYCAST_IP6 { };" '};' >"$DAEMON_DIR/radvd-gw$i.conf"
      daemon "${NS_PREFIX}gw$i" "radvd-gw$i" radvd -n -m stderr -C "$DAEMON_DIR/radvd-gw$i.conf" -p "$DAEMON_DIR/radvd-gw$i.pid"
    done
  else
    command -v dnsmasq >/dev/null || die "dnsmasq-unicast-router needs dnsmasq (apt-get install dnsmasq-base)"
    local range router
    for i in 1 2; do
      if [[ $i == 1 ]]; then range=10.172.128.10,10.172.128.50; router=()
      else range=10.172.192.10,10.172.192.50; router=(--dhcp-option=3,"$ANYCAST_IP"); fi
      # --port=0: no DNS server (DHCP only); --no-ping: offer at once, no echo probe of the address.
      daemon "${NS_PREFIX}gw$i" "dnsmasq-gw$i" dnsmasq --keep-in-foreground --conf-file=/dev/null --user=root \
        --port=0 --no-ping --log-facility=- --interface=br-fftr --bind-interfaces --except-interface=lo \
        --dhcp-range="$range,255.255.0.0,10m" "${router[@]}" --dhcp-option=6,"$ANYCAST_IP" \
        --dhcp-leasefile="$DAEMON_DIR/dnsmasq-gw$i.leases" --pid-file="$DAEMON_DIR/dnsmasq-gw$i.pid"
    done
  fi
}

up() {
  local scen=$1
  valid_scenario "$scen" || die "unknown scenario '$scen' (one of: ${SCENARIOS[*]})"
  SCEN=$scen
  down
  build_mesh
  build_rest "$scen"
  log "lab up: scenario $scen"
}

bping() { # bounded ping: NS DEST
  timeout 5 ip netns exec "$1" ping -n -c 2 -i 0.3 -W 1 "$2" >&2 || log "ping $1 -> $2 failed"
}

dump_state() {
  local f=$1 ns
  {
    for ns in "$NS_GW1" "$NS_GW2"; do
      echo "### $ns"
      nsx "$ns" sysctl net.ipv4.conf.all.arp_filter net.ipv4.conf.br-fftr.rp_filter \
        net.ipv4.conf.fftr-gw-anycast.rp_filter 2>/dev/null
      nsx "$ns" ip -br link
      nsx "$ns" ip -d link show br-fftr | grep -o 'promiscuity [0-9]*' | sed 's/^/br-fftr /'
      nsx "$ns" ip -d link show fftr-gw-anycast | grep -o 'macvlan mode [a-z]*'
      nsx "$ns" ip rule
      echo "-- main table"; nsx "$ns" ip route show table main
      echo "-- table $TABLE"; nsx "$ns" ip route show table "$TABLE" 2>/dev/null || true
      echo "-- neigh"; nsx "$ns" ip neigh show
      echo "-- bridge fdb (br-fftr, non-permanent + anycast)"
      nsx "$ns" bridge fdb show br br-fftr | grep -Ei "02:00|02:ca" || true
      echo "-- nstat IP/ARP drops"
      nsx "$ns" nstat -az 2>/dev/null | grep -E 'IPReversePathFilter|InAddrErrors|InNoRoutes|ArpFilter' || true
      if v6_only; then
        echo "-- IPv6 addresses (flags: nodad, tentative, dadfailed)"; nsx "$ns" ip -6 addr show
        echo "-- IPv6 rules"; nsx "$ns" ip -6 rule
        echo "-- IPv6 main table"; nsx "$ns" ip -6 route show table main
        echo "-- IPv6 table $TABLE"; nsx "$ns" ip -6 route show table "$TABLE" 2>/dev/null || true
        echo "-- nstat ICMPv6 neighbour discovery"
        nsx "$ns" nstat -az 2>/dev/null | grep -E 'Icmp6(In|Out)(Neighbor|Router)' || true
      fi
    done
    for ns in "$NS_C1" "$NS_C2"; do
      echo "### $ns neigh"; nsx "$ns" ip neigh show
      if v6_only; then
        echo "### $ns IPv6 addresses"; nsx "$ns" ip -6 addr show dev eth0
        echo "### $ns IPv6 routes"; nsx "$ns" ip -6 route show
      fi
    done
    echo "### acp-mesh links (ifindex: name, as in an -i any capture's interface index)"
    nsx "$NS_MESH" ip -o link show | awk '{print $1, $2}'
    echo "### acp-mesh fdb"; nsx "$NS_MESH" bridge fdb show br br-fftr | grep -Ei "02:00|02:ca" || true
    echo "### acp-mesh nft"; nsx "$NS_MESH" nft list ruleset
  } >"$f" 2>&1
}

# The bounded traffic every run generates: clients ARP and ping the anycast IP
# and the host behind the gateways, the gateways ping each other.
# arp-filter-off-expiry: c1's entry for the anycast IP, and gw1's for c1,
# expire five more times (flushed, standing in for gc_stale_time) and c1
# resolves the anycast IP anew, past the ARP lock time, with one ping; then
# gw1, having forgotten c1 again, sends to it from the anycast IP (as its DNS
# answers would), whose broadcast request re-teaches c1 the anycast MAC. The
# ping's own echo reply re-teaches it only when gw1's macvlan has not yet
# learned c1 from c1's request, a race its broadcast work queue loses or wins
# with the machine's load (FINDINGS.md); the second send makes the re-teach
# happen every time, so the lab test does not depend on that race.
probe() {
  local scen=$1 i
  if v6_only; then probe_v6; return 0; fi
  for i in 1 2; do nsx ${NS_PREFIX}c$i ip neigh flush all; done
  if [[ "$scen" == arp-filter-off-expiry ]]; then
    for i in 1 2 3 4 5; do
      sleep 1.2
      nsx "$NS_C1" ip neigh flush all
      nsx "$NS_GW1" ip neigh flush all
      timeout 3 ip netns exec "$NS_C1" ping -n -c 1 -W 1 "$ANYCAST_IP" >&2 || log "ping c1 -> anycast failed"
      nsx "$NS_GW1" ip neigh flush all
      timeout 3 ip netns exec "$NS_GW1" ping -n -c 1 -W 1 -I "$ANYCAST_IP" 10.172.1.1 >&2 || log "ping gw1 (anycast IP) -> c1 failed"
    done
  fi
  if [[ "$scen" == dnsmasq-unicast-router ]]; then
    # One bounded DHCP exchange; -s /bin/true: the lease is not applied to eth0.
    command -v udhcpc >/dev/null || die "dnsmasq-unicast-router needs udhcpc (apt-get install udhcpc)"
    log "c1 asks for a DHCP lease"
    timeout 10 ip netns exec "$NS_C1" udhcpc -i eth0 -f -q -n -t 3 -T 1 -A 1 -s /bin/true >&2 || log "udhcpc in c1 got no lease"
  fi
  if [[ "$scen" == radvd-on-bridge ]]; then
    # The clients' router solicitations may come before radvd is ready; the unsolicited RAs
    # (every 3-4 s) then teach them. Wait (bounded) until c1 has a default router from each.
    local n routers=0
    for n in $(seq 1 60); do
      # (no default route yet: grep finds nothing, which must not end the script under pipefail)
      routers=$({ nsx "$NS_C1" ip -6 route show default | grep -o 'via fe80::[0-9a-f:]*' || true; } | sort -u | wc -l)
      (( routers >= 2 )) && break
      sleep 0.2
    done
    log "c1's IPv6 default routers ($routers): $({ nsx "$NS_C1" ip -6 route show default | grep -o 'via fe80::[0-9a-f:]*' || true; } | sort -u | tr '\n' ' ')"
  fi
  log "clients -> anycast $ANYCAST_IP"
  bping "$NS_C1" "$ANYCAST_IP"; bping "$NS_C2" "$ANYCAST_IP"
  log "clients -> $INET_HOST (forwarded)"
  bping "$NS_C1" "$INET_HOST"; bping "$NS_C2" "$INET_HOST"
  log "gateways <-> unicast"
  bping "$NS_GW1" 10.172.0.2; bping "$NS_GW2" 10.172.0.1
  if [[ "$scen" == nat-moved-connection ]]; then moved_connection; fi
  sleep 0.5
}

# The IPv6-only scenarios' traffic: once (bounded) both clients have a default router from the
# RAs and no address of the clients or the gateways' bridges is tentative any more, the clients
# forget their neighbours and ping6 the anycast IPv6 and the host behind the gateways, and the
# gateways ping6 each other. No IPv4.
probe_v6() {
  local n ns i ready
  for n in $(seq 1 60); do
    ready=1
    for i in 1 2; do
      [[ -n "$(nsx "${NS_PREFIX}c$i" ip -6 route show default)" ]] || ready=0
    done
    for ns in "$NS_C1" "$NS_C2" "$NS_GW1" "$NS_GW2"; do
      [[ -z "$(nsx "$ns" ip -6 addr show tentative)" ]] || ready=0
    done
    (( ready )) && break
    sleep 0.2
  done
  (( ready )) || log "IPv6 not ready after 12 s (no default router, or a tentative address)"
  for i in 1 2; do
    log "c$i's IPv6 default routers: $(nsx "${NS_PREFIX}c$i" ip -6 route show default | grep -o 'via [0-9a-f:]*' | tr '\n' ' ')"
    nsx "${NS_PREFIX}c$i" ip -6 neigh flush all
  done
  log "clients -> anycast $ANYCAST_IP6"
  bping "$NS_C1" "$ANYCAST_IP6"; bping "$NS_C2" "$ANYCAST_IP6"
  log "clients -> $INET_HOST6 (forwarded)"
  bping "$NS_C1" "$INET_HOST6"; bping "$NS_C2" "$INET_HOST6"
  log "gateways <-> unicast (IPv6)"
  bping "$NS_GW1" 2001:db8:fc0f::2; bping "$NS_GW2" 2001:db8:fc0f::1
  sleep 0.5
}

# nat-moved-connection: c1 opens a TCP connection to the host behind the gateways through
# its nearest gateway gw1 and sends a line every 250 ms; after 1.5 s batman-adv would pick
# gw2: the mesh delivers c1's frames for the anycast MAC to gw2 only, and the return route
# for c1 goes through gw2. The client ends at the first error, or after 6 s.
moved_connection() {
  cat >"$DAEMON_DIR/tcp-client.cjs" <<EOF
const net = require('node:net');
const s = net.connect({ host: '$INET_HOST', port: $TCP_PORT, localAddress: '10.172.1.1' });
let n = 0;
let answers = 0;
s.on('connect', () => {
  console.error('[client] connected');
  require('node:fs').writeFileSync('$DAEMON_DIR/tcp-client.connected', '');
});
s.on('data', () => answers++);
const tick = setInterval(() => s.write(\`line \${++n}\\n\`), 250);
const end = (why) => {
  clearInterval(tick);
  console.error(\`[client] \${why} after \${n} lines, \${answers} answers\`);
  process.exit(0);
};
s.on('error', (e) => end(e.code));
s.on('close', () => end('closed'));
setTimeout(() => end('time up'), 8000);
EOF
  log "c1 opens a TCP connection to $INET_HOST:$TCP_PORT through gw1"
  rm -f "$DAEMON_DIR/tcp-client.connected"
  timeout 12 ip netns exec "$NS_C1" node "$DAEMON_DIR/tcp-client.cjs" &
  local client=$! n
  # Move only a connection that exists: node's start-up on a loaded machine can take longer than the
  # wait that used to stand here. Bounded: 5 s for the connection, then 1 s of lines through gw1.
  for n in $(seq 1 50); do [[ -e "$DAEMON_DIR/tcp-client.connected" ]] && break; sleep 0.1; done
  [[ -e "$DAEMON_DIR/tcp-client.connected" ]] || log "the TCP client did not connect within 5 s"
  sleep 1
  log "the mesh moves c1 to gw2"
  nsx "$NS_MESH" nft flush chain bridge acp_mesh forward_filter
  nsx "$NS_MESH" nft add rule bridge acp_mesh forward_filter ether daddr "$ANYCAST_MAC" iifname "m-c1" oifname != "m-gw2" counter drop
  nsx "$NS_MESH" nft add rule bridge acp_mesh forward_filter ether daddr "$ANYCAST_MAC" iifname "m-c2" oifname != "m-gw2" counter drop
  nsx "$NS_INET" ip route replace 10.172.1.1/32 via 198.51.100.5 dev to-gw2
  wait "$client" || log "the TCP client failed"
}

WATCH_PID=""
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# `watch NS IFACE SCENARIO OUT [ARGS...]`: like run, but anycast-probe watch
# captures (in namespace NS, on IFACE) instead of tcpdump; it is ended with
# SIGINT (Ctrl-C) after the probes, and its stdout goes to OUT.
watch_run() {
  local where=$1 iface=$2 scen=$3 out=$4; shift 4
  valid_scenario "$scen" || die "unknown scenario '$scen'"
  SCEN=$scen
  down
  build_mesh
  if [[ "$where" != "$NS_MESH" ]]; then build_rest "$scen"; sleep 1.5; fi
  ip netns exec "$where" node "$REPO/bin/anycast-probe" watch "$iface" "$@" >"$out" 2>"$out.stderr" &
  WATCH_PID=$!
  local n=0
  # give the capture time to start (bounded)
  until grep -q . "$out.stderr" 2>/dev/null || (( n++ >= 10 )); do sleep 0.2; done
  sleep 1
  if [[ "$where" == "$NS_MESH" ]]; then build_rest "$scen"; sleep 1.5; fi
  probe "$scen"
  kill -INT "$WATCH_PID" 2>/dev/null || true
  for n in $(seq 1 50); do kill -0 "$WATCH_PID" 2>/dev/null || break; sleep 0.2; done
  local rc=0
  wait "$WATCH_PID" || rc=$?
  WATCH_PID=""
  echo "$rc" >"$out.rc"
  down
}

# `probe_run SCENARIO OUT [ARGS...]`: builds the lab, runs `anycast-probe probe eth0 ARGS` in acp-c1
# (its stdout to OUT, stderr to OUT.stderr, exit code to OUT.rc), then removes the lab.
probe_run() {
  local scen=$1 out=$2; shift 2
  valid_scenario "$scen" || die "unknown scenario '$scen'"
  SCEN=$scen
  down
  build_mesh
  build_rest "$scen"
  sleep 1.5
  local rc=0
  timeout 60 ip netns exec "$NS_C1" node "$REPO/bin/anycast-probe" probe eth0 "$@" >"$out" 2>"$out.stderr" || rc=$?
  echo "$rc" >"$out.rc"
  down
}

run() {
  local scen=$1 out=$2
  valid_scenario "$scen" || die "unknown scenario '$scen'"
  case "$CAP_AT" in mesh | gw1 | any) ;; *) die "LAB_CAPTURE_AT must be mesh, gw1 or any (got '$CAP_AT')" ;; esac
  SCEN=$scen
  down
  build_mesh
  rm -f "$out"
  CAP_OUT=$out
  # DHCP replies are 342 bytes: a snap length of 256 would cut their options off.
  CAP_SNAP=256
  [[ "$scen" == dnsmasq-unicast-router ]] && CAP_SNAP=512
  # mesh and any capture in the mesh from before the gateways/clients exist, so
  # interface-up traffic (gratuitous ARP, IPv6 DAD/RS if enabled) is recorded;
  # gw1 starts inside build_rest, once gw1's br-fftr is up (gw1_capture).
  case "$CAP_AT" in
    mesh) start_capture "$NS_MESH" br-fftr ;;
    any)
      # Linux cooked v2 (with the interface index) where this tcpdump has it, else v1.
      if ip netns exec "$NS_MESH" tcpdump -i any -L 2>/dev/null | grep -q LINUX_SLL2; then
        start_capture "$NS_MESH" any -y LINUX_SLL2
      else
        start_capture "$NS_MESH" any
      fi ;;
  esac
  build_rest "$scen"
  [[ -n "$TCPDUMP_PID" ]] || die "no capture started"
  log "lab up: scenario $scen; capture at $CAP_AT, tcpdump pid $TCPDUMP_PID"
  sleep 1.5
  probe "$scen"
  [[ -n "${LAB_STATE:-}" ]] && dump_state "$LAB_STATE"
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true
  for i in $(seq 1 25); do kill -0 "$TCPDUMP_PID" 2>/dev/null || break; sleep 0.2; done
  wait "$TCPDUMP_PID" 2>/dev/null || true
  TCPDUMP_PID=""
  CAP_OUT=""
  down
  log "capture written: $out ($(tcpdump -r "$out" 2>/dev/null | wc -l) frames)"
}

[[ $EUID -eq 0 ]] || die "must run as root"
cmd=${1:-}
case "$cmd" in
  up)   [[ $# -eq 2 ]] || die "usage: $0 up SCENARIO"
        trap 'rc=$?; [[ $rc -ne 0 ]] && down; exit $rc' EXIT
        trap 'exit 130' INT; trap 'exit 143' TERM
        up "$2" ;;
  down) down ;;
  run)  [[ $# -eq 3 ]] || die "usage: $0 run SCENARIO OUT.pcap"
        trap 'down' EXIT
        trap 'exit 130' INT; trap 'exit 143' TERM
        run "$2" "$3" ;;
  watch-mesh) [[ $# -ge 3 ]] || die "usage: $0 watch-mesh SCENARIO OUT [watch args...]"
        trap 'down' EXIT
        trap 'exit 130' INT; trap 'exit 143' TERM
        scen=$2 out=$3; shift 3
        watch_run "$NS_MESH" br-fftr "$scen" "$out" "$@" ;;
  watch-gw1) [[ $# -ge 3 ]] || die "usage: $0 watch-gw1 SCENARIO OUT [watch args...]"
        trap 'down' EXIT
        trap 'exit 130' INT; trap 'exit 143' TERM
        scen=$2 out=$3; shift 3
        watch_run "$NS_GW1" br-fftr "$scen" "$out" "$@" ;;
  watch-c1) [[ $# -ge 3 ]] || die "usage: $0 watch-c1 SCENARIO OUT [watch args...]"
        trap 'down' EXIT
        trap 'exit 130' INT; trap 'exit 143' TERM
        scen=$2 out=$3; shift 3
        watch_run "$NS_C1" eth0 "$scen" "$out" "$@" ;;
  probe-c1) [[ $# -ge 3 ]] || die "usage: $0 probe-c1 SCENARIO OUT [probe args...]"
        trap 'down' EXIT
        trap 'exit 130' INT; trap 'exit 143' TERM
        scen=$2 out=$3; shift 3
        probe_run "$scen" "$out" "$@" ;;
  scenarios) printf '%s\n' "${SCENARIOS[@]}" ;;
  *) die "usage: $0 {up SCENARIO|down|run SCENARIO OUT.pcap|watch-mesh SCENARIO OUT [args]|watch-gw1 SCENARIO OUT [args]|watch-c1 SCENARIO OUT [args]|probe-c1 SCENARIO OUT [args]|scenarios}" ;;
esac
