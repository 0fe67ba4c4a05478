#!/usr/bin/env bash
# Live capture: `anycast-probe watch` versus `tcpdump -w /dev/null` on the
# same veth, in the same run, under a bounded and paced traffic blast.
#
#   sudo bench/live.sh                 (one command; run as root)
#   LIVE_RATES="10000 50000 100000 200000 400000"   target frames/s, one blast each per engine
#   LIVE_SECONDS=5                     length of each blast (frames = rate x seconds)
#   LIVE_SENDER=auto|tcpreplay|c       auto: tcpreplay if flat out it reaches 1.5x the
#                                      highest rate (headroom for the captures' softirq
#                                      work on the same CPUs), else bench/live-send.c
#   LIVE_BUFFER_MIB=16                 kernel ring for all captures (watch's default)
#
# Per rate, two runs on the same blast size:
#   A: watch --engine tcpdump (default filter) + tcpdump -w /dev/null with the
#      very filter watch handed its tcpdump child (read from /proc);
#   B: watch --engine cap + the same plain tcpdump.
# The sender is in the namespace `acpbench-$$` on one end of a veth pair, the
# captures on the other end. Frames matching the filter are counted offline
# in the frames actually sent (tcpdump -r with the same filter).
#
# Prints a Markdown table and writes it, with the machine and the commands,
# to bench/live-results.md. Exits non-zero only when the lab cannot be set up.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_ROOT" || exit 2

RATES=(${LIVE_RATES:-10000 50000 100000 200000 400000})
SECONDS_PER_BLAST=${LIVE_SECONDS:-5}
SENDER=${LIVE_SENDER:-auto}
BUFFER_MIB=${LIVE_BUFFER_MIB:-16}
SNAPLEN=262144 # watch's default snap length
RESULTS=bench/live-results.md
SRC_FILE=$BENCH_DIR/mesh-500k.pcap
SRC_FRAMES=500000

die() { bench_log "live.sh: $*"; exit 2; }

# (Background jobs call `ip netns exec` directly, not in_ns: $! must be the
# process itself (ip execs it), not a subshell running a function.)
in_ns() { ip netns exec "$NS" "$@"; }

# wait_pid PID SECONDS: waits for a child of ours, SIGINT then SIGKILL past the bound.
wait_pid() {
  local pid=$1 limit=$2 i
  for ((i = 0; i < limit * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    bench_log "  pid $pid still running after ${limit}s: SIGINT"
    kill -INT "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  bench_forget_pid "$pid"
}

# Packet sockets open in the namespace (tcpdump, watch's tcpdump, cap, the sender).
packet_sockets() { in_ns awk 'NR > 1' /proc/net/packet | wc -l; }

# wait_until SECONDS CMD...: polls CMD every 0.1 s, at most SECONDS.
wait_until() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 10; i++)); do "$@" && return 0; sleep 0.1; done
  return 1
}
listening() { grep -q 'listening on' "$1" 2>/dev/null; }
sockets_at_least() { (($(packet_sockets) >= $1)); }

# child_filter PID OUT: the filter argument (after "--") of PID's tcpdump child, into OUT.
child_filter() {
  local c
  for c in $(pgrep -P "$1"); do
    tr '\0' '\n' <"/proc/$c/cmdline" 2>/dev/null | sed -n '/^--$/{n;p;}' >"$2"
    [[ -s $2 ]] && return 0
  done
  return 1
}

counter() { in_ns cat "/sys/class/net/$1/statistics/$2"; }

# tcpdump's "N packets <what>" from its stderr (last value).
td_count() { grep -oE "[0-9]+ packets? $2" "$1" | tail -1 | grep -oE '^[0-9]+' || echo '?'; }

# watch's summary: "IF: N frames analysed, M received, D dropped by the kernel".
watch_summary() { grep -E 'frames analysed' "$1" | tail -1; }
watch_field() {
  local line
  line=$(watch_summary "$1")
  case $2 in
    analysed) sed -nE 's/.*: ([0-9]+) frames analysed.*/\1/p' <<<"$line" ;;
    received) sed -nE 's/.*, ([0-9]+) received.*/\1/p' <<<"$line" ;;
    dropped) sed -nE 's/.*, ([0-9]+) dropped by the kernel.*/\1/p' <<<"$line" ;;
  esac | grep . || echo '?'
}
json_frames() { node -e 'try { const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(d.stats.frames) } catch { console.log("?") }' "$1"; }

# ---------------------------------------------------------------- setup
[[ $(id -u) == 0 ]] || die "run as root (network namespaces, raw sockets)"
command -v tcpdump >/dev/null || bench_install_tools
command -v tcpdump >/dev/null || die "tcpdump is required"
command -v ip >/dev/null || die "ip (iproute2) is required"
if [[ $SENDER != c ]] && ! command -v tcpreplay >/dev/null && command -v apt-get >/dev/null; then
  bench_log "installing tcpreplay"
  DEBIAN_FRONTEND=noninteractive apt-get install -y tcpreplay >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y tcpreplay >&2; } || true
fi
bench_ensure_build || exit 2
bench_generate "$SRC_FRAMES" "$SRC_FILE" || die "cannot generate $SRC_FILE"

# The namespace acpbench-$$, its veth pair and a scratch dir, all removed on exit with what we started (bench/lib.sh).
bench_veth_lab bench || die "cannot build the namespace acpbench-$$ and its veth pair"
NS=$BENCH_NS TX=$BENCH_TX RX=$BENCH_RX WORK=$BENCH_WORK
bench_log "lab: namespace $NS, veth $TX -> $RX (no addresses, IPv6 off)"

# ---------------------------------------------------------------- sender
C_SENDER=$WORK/live-send
have_c=0
if command -v gcc >/dev/null && gcc -O2 -Wall -o "$C_SENDER" bench/live-send.c 2>"$WORK/gcc.err"; then have_c=1; fi
max_rate=0
for r in "${RATES[@]}"; do ((r > max_rate)) && max_rate=$r; done

# Frames each sender manages flat out (100k frames, nobody capturing).
calib_frames=100000
tcpreplay_top=0
c_top=0
if command -v tcpreplay >/dev/null; then
  tcpreplay_top=$(in_ns tcpreplay -i "$TX" --topspeed --limit=$calib_frames --preload-pcap "$SRC_FILE" 2>&1 |
    sed -nE 's/.*Mbps, ([0-9.]+) pps.*/\1/p' | cut -d. -f1)
  tcpreplay_top=${tcpreplay_top:-0}
fi
if ((have_c)); then
  c_top=$(in_ns "$C_SENDER" "$TX" "$SRC_FILE" $calib_frames 0 | sed -nE 's/.* rate=([0-9]+).*/\1/p')
  c_top=${c_top:-0}
fi
bench_log "sender top speed: tcpreplay ${tcpreplay_top} frames/s, live-send.c ${c_top} frames/s"
case $SENDER in
  auto)
    if ((tcpreplay_top * 2 >= max_rate * 3)); then SENDER=tcpreplay
    elif ((have_c)); then SENDER=c
    elif ((tcpreplay_top > 0)); then SENDER=tcpreplay
    else die "no sender: neither tcpreplay nor gcc"; fi ;;
  tcpreplay) ((tcpreplay_top > 0)) || die "tcpreplay does not work here" ;;
  c) ((have_c)) || die "cannot compile bench/live-send.c: $(cat "$WORK/gcc.err")" ;;
  *) die "LIVE_SENDER=$SENDER: expected auto, tcpreplay or c" ;;
esac
if [[ $SENDER == c ]]; then
  SENDER_DESC="bench/live-send.c (AF_PACKET sendmmsg, 64 frames a call, PACKET_QDISC_BYPASS; flat out ${c_top} frames/s; tcpreplay managed ${tcpreplay_top})"
else
  SENDER_DESC="tcpreplay --pps (flat out ${tcpreplay_top} frames/s)"
fi
bench_log "sender: $SENDER_DESC"

# blast RATE FRAMES OUT: sends, writes "sent failed seconds" to OUT.
blast() {
  local rate=$1 frames=$2 out=$3 log=$WORK/sender.log
  if [[ $SENDER == c ]]; then
    in_ns "$C_SENDER" "$TX" "$SRC_FILE" "$frames" "$rate" >"$log" 2>&1
    sed -nE 's/^sent=([0-9]+) failed=([0-9]+) seconds=([0-9.]+).*/\1 \2 \3/p' "$log" >"$out"
  else
    local loops=$(((frames + SRC_FRAMES - 1) / SRC_FRAMES))
    in_ns tcpreplay -i "$TX" --pps="$rate" --limit="$frames" --loop="$loops" --preload-pcap "$SRC_FILE" >"$log" 2>&1
    local ok bad secs
    ok=$(sed -nE 's/.*Successful packets: *([0-9]+).*/\1/p' "$log")
    bad=$(sed -nE 's/.*Failed packets: *([0-9]+).*/\1/p' "$log")
    secs=$(sed -nE 's/.*sent in ([0-9.]+) seconds.*/\1/p' "$log")
    echo "${ok:-0} ${bad:-0} ${secs:-0}" >"$out"
  fi
}

# ---------------------------------------------------------------- one run
FILTER=''
WATCH_FLAGS="--json --buffer-mib $BUFFER_MIB $ANYCAST_FLAGS"
# run ENGINE RATE FRAMES TAG: watch + tcpdump on $RX while $TX blasts.
run() {
  local engine=$1 rate=$2 frames=$3 tag=$4
  local blast_s=$(((frames + rate - 1) / rate))
  local duration=$((blast_s + 5))
  local w_out=$WORK/$tag.watch.json w_err=$WORK/$tag.watch.err t_err=$WORK/$tag.tcpdump.err
  local rx0 tx0 rxd0
  rx0=$(counter "$RX" rx_packets) tx0=$(counter "$TX" tx_packets) rxd0=$(counter "$RX" rx_dropped)

  # shellcheck disable=SC2086
  ip netns exec "$NS" "$CLI" watch "$RX" --engine "$engine" --duration "$duration" $WATCH_FLAGS >"$w_out" 2>"$w_err" &
  local wpid=$!
  BENCH_PIDS+=("$wpid")
  local base_sockets=0
  if [[ $engine == tcpdump ]]; then
    # watch's own tcpdump child: its command line holds the filter watch built.
    # (Polled: right after the fork the child's command line is still node's.)
    local f
    wait_until 15 child_filter "$wpid" "$WORK/filter" && f=$(cat "$WORK/filter")
    [[ -n ${f:-} ]] || { bench_log "  watch started no tcpdump: $(cat "$w_err")"; wait_pid "$wpid" "$((duration + 10))"; return 1; }
    FILTER=$f
  fi
  [[ -n $FILTER ]] || { bench_log "  no filter known yet"; wait_pid "$wpid" "$((duration + 10))"; return 1; }
  wait_until 15 sockets_at_least 1 || { bench_log "  watch did not open a capture: $(cat "$w_err")"; wait_pid "$wpid" "$((duration + 10))"; return 1; }

  ip netns exec "$NS" tcpdump -i "$RX" -w /dev/null -s "$SNAPLEN" -B "$((BUFFER_MIB * 1024))" -- "$FILTER" 2>"$t_err" &
  local tpid=$!
  BENCH_PIDS+=("$tpid")
  wait_until 15 listening "$t_err" || bench_log "  tcpdump not listening: $(cat "$t_err")"
  wait_until 15 sockets_at_least 2 || bench_log "  expected 2 capture sockets, see $(packet_sockets)"
  sleep 0.5

  local t_start=$SECONDS
  blast "$rate" "$frames" "$WORK/$tag.sent"
  local elapsed=$((SECONDS - t_start))
  sleep 1.5 # tcpdump's 1 s TPACKET_V3 block timeout: let the last block retire
  kill -INT "$tpid" 2>/dev/null
  wait_pid "$tpid" 10
  wait_pid "$wpid" "$((duration - elapsed + 15))"

  read -r sent failed secs <"$WORK/$tag.sent"
  R_SENT=${sent:-0} R_FAILED=${failed:-0} R_SECS=${secs:-0}
  R_DELIVERED=$(($(counter "$RX" rx_packets) - rx0))
  R_TX=$(($(counter "$TX" tx_packets) - tx0))
  R_RXDROP=$(($(counter "$RX" rx_dropped) - rxd0))
  R_TD_RECV=$(td_count "$t_err" 'received by filter')
  R_TD_DROP=$(td_count "$t_err" 'dropped by kernel')
  R_TD_CAPT=$(td_count "$t_err" 'captured')
  R_W_ANALYSED=$(watch_field "$w_err" analysed)
  R_W_RECEIVED=$(watch_field "$w_err" received)
  R_W_DROP=$(watch_field "$w_err" dropped)
  R_W_JSON=$(json_frames "$w_out")
  R_W_STDERR=$(grep -v 'frames analysed' "$w_err" | head -5)
  bench_log "  $tag: sent $R_SENT (failed $R_FAILED) in ${R_SECS}s, veth rx $R_DELIVERED (rx_dropped $R_RXDROP);" \
    "tcpdump received $R_TD_RECV dropped $R_TD_DROP; watch analysed $R_W_ANALYSED (json $R_W_JSON) received $R_W_RECEIVED dropped $R_W_DROP"
  bench_log "    watch stderr: $(watch_summary "$w_err")"
  [[ -n $R_W_STDERR ]] && bench_log "    watch stderr (other): $R_W_STDERR"
  return 0
}

# match_count FRAMES: frames among the first FRAMES sent (the file, looped) that $FILTER keeps.
declare -A MATCH_CACHE=()
match_prefix() {
  local n=$1
  ((n == 0)) && { echo 0; return; }
  [[ -n ${MATCH_CACHE[$n]:-} ]] && { echo "${MATCH_CACHE[$n]}"; return; }
  local c
  c=$(tcpdump -r "$SRC_FILE" -c "$n" -w - 2>/dev/null | tcpdump -nn -q -r - -- "$FILTER" 2>/dev/null | wc -l)
  MATCH_CACHE[$n]=$c
  echo "$c"
}
match_count() {
  local n=$1 q r
  q=$((n / SRC_FRAMES)) r=$((n % SRC_FRAMES))
  echo $((q * $(match_prefix "$SRC_FRAMES") + $(match_prefix "$r")))
}

# ---------------------------------------------------------------- runs
rows=()
notes=()
declare -A MATCHED=()
for rate in "${RATES[@]}"; do
  frames=$((rate * SECONDS_PER_BLAST))
  bench_log "== $rate frames/s, $frames frames"
  cells=()
  for engine in tcpdump cap; do
    if ! run "$engine" "$rate" "$frames" "r$rate-$engine"; then
      cells+=("failed" "failed" "failed")
      continue
    fi
    [[ -n ${MATCHED[$R_SENT]:-} ]] || MATCHED[$R_SENT]=$(match_count "$R_SENT")
    m=${MATCHED[$R_SENT]}
    fps=$(awk -v n="$R_SENT" -v s="$R_SECS" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "?" }')
    if [[ $engine == tcpdump ]]; then
      cells+=("$R_SENT" "$fps" "$R_DELIVERED" "$m" "$R_TD_RECV / $R_TD_DROP" "$R_W_ANALYSED / $R_W_DROP")
      [[ $R_W_JSON != "$R_W_ANALYSED" ]] && notes+=("$rate/s tcpdump engine: report stats.frames $R_W_JSON != summary $R_W_ANALYSED")
    else
      cells+=("$R_SENT" "$fps" "$R_TD_RECV / $R_TD_DROP" "$R_W_ANALYSED")
      [[ $R_W_JSON != "$R_W_ANALYSED" ]] && notes+=("$rate/s cap engine: report stats.frames $R_W_JSON != summary $R_W_ANALYSED")
    fi
    [[ -n $R_W_STDERR ]] && notes+=("$rate/s $engine engine, watch stderr: $(tr '\n' ' ' <<<"$R_W_STDERR")")
    ((R_FAILED > 0)) && notes+=("$rate/s $engine run: the sender failed on $R_FAILED frames")
    ((R_DELIVERED != R_SENT)) && notes+=("$rate/s $engine run: sent $R_SENT but the receiving veth counted $R_DELIVERED (rx_dropped $R_RXDROP)")
  done
  rows+=("| $rate | $(IFS='|'; echo "${cells[*]}" | sed 's/|/ | /g') |")
done

# ---------------------------------------------------------------- report
header='| Target frames/s | A: sent | A: achieved frames/s | A: veth received | A: matching filter | A: tcpdump received / dropped | A: watch (tcpdump engine) analysed / kernel-dropped | B: sent | B: achieved frames/s | B: tcpdump received / dropped | B: watch (cap engine) analysed |'
sep='|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
{
  echo "# Live capture: watch vs tcpdump"
  echo
  echo "Generated by \`bench/live.sh\` on $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) CPUs, $(uname -r), $(tcpdump --version 2>&1 | head -1), node $(node --version)."
  echo
  echo "- Sender: $SENDER_DESC, out of one end of a veth pair in a private namespace; $SECONDS_PER_BLAST s per blast (frames = rate x $SECONDS_PER_BLAST, the 500k bench capture looped)."
  echo "- Run A: \`anycast-probe watch $RX --engine tcpdump --duration D $WATCH_FLAGS\` and \`tcpdump -i $RX -w /dev/null -s $SNAPLEN -B $((BUFFER_MIB * 1024)) -- FILTER\` at the same time on the other end."
  echo "- Run B: the same with \`--engine cap\` (a second blast of the same size)."
  echo "- FILTER is watch's default filter, read from its tcpdump child's command line:"
  echo "  \`$FILTER\`"
  echo "- matching filter: frames among those sent that the filter keeps (tcpdump -r on the sent prefix of the file)."
  echo
  echo "$header"
  echo "$sep"
  printf '%s\n' "${rows[@]}"
  if ((${#notes[@]})); then
    echo
    echo "Notes:"
    printf -- '- %s\n' "${notes[@]}"
  fi
} >"$RESULTS"
cat "$RESULTS"
bench_log "written: $RESULTS"
exit 0
