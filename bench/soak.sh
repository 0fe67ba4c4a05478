#!/usr/bin/env bash
# Soak: `anycast-probe watch` fed a busy day's worth of frames through a veth,
# paced, while its resident memory and analysed-frame rate are sampled.
#
#   sudo bench/soak.sh                (one command; run as root)
#   SOAK_FRAMES=50000000             frames sent (the 500k bench capture, looped)
#   SOAK_RATE=100000                 frames/s (bench/live-send.c, AF_PACKET sendmmsg)
#   SOAK_SAMPLE=10                   seconds between samples
#
# The sender and the capture are on the two ends of a veth pair inside the
# namespace `acpsoak-$$` (removed on exit, with every process this script
# started, by PID). watch runs with the bench capture's anycast addresses,
# its default filter and engine, and --ndjson: its periodic stats lines give
# the frames analysed; /proc gives its RSS. Writes a Markdown table to
# bench/soak-results.md. Exits 1 if watch failed, dropped frames, or its RSS
# passed 100 MB.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_ROOT" || exit 2

FRAMES=${SOAK_FRAMES:-50000000}
RATE=${SOAK_RATE:-100000}
SAMPLE=${SOAK_SAMPLE:-10}
RESULTS=bench/soak-results.md
SRC_FILE=$BENCH_DIR/mesh-500k.pcap
die() { bench_log "soak.sh: $*"; exit 2; }

[[ $(id -u) == 0 ]] || die "run as root (network namespaces, raw sockets)"
command -v tcpdump >/dev/null || bench_install_tools
command -v gcc >/dev/null || die "gcc is required (bench/live-send.c)"
bench_ensure_build || exit 2
bench_generate 500000 "$SRC_FILE" || die "cannot generate $SRC_FILE"
bench_veth_lab soak || die "cannot build the namespace and veth pair"
NS=$BENCH_NS TX=$BENCH_TX RX=$BENCH_RX WORK=$BENCH_WORK
gcc -O2 -Wall -o "$WORK/live-send" bench/live-send.c || die "cannot compile bench/live-send.c"

seconds=$(((FRAMES + RATE - 1) / RATE))
# shellcheck disable=SC2086
ip netns exec "$NS" "$CLI" watch "$RX" --ndjson $ANYCAST_FLAGS --duration $((seconds + 60)) >"$WORK/watch.ndjson" 2>"$WORK/watch.err" &
wpid=$!
BENCH_PIDS+=("$wpid")
for _ in $(seq 1 150); do grep -q '"type"' "$WORK/watch.ndjson" 2>/dev/null && break; ip netns exec "$NS" awk 'NR > 1' /proc/net/packet | grep -q . && break; sleep 0.1; done
sleep 1
ip netns exec "$NS" "$WORK/live-send" "$TX" "$SRC_FILE" "$FRAMES" "$RATE" >"$WORK/sender.log" 2>&1 &
spid=$!
BENCH_PIDS+=("$spid")
bench_log "soak: $FRAMES frames at $RATE/s (~${seconds} s) into watch (pid $wpid) on $RX in $NS"

rows=()
start=$SECONDS
last_frames=0
last_t=0
# Bounded: the sender's time plus a minute.
while kill -0 "$spid" 2>/dev/null && ((SECONDS - start < seconds + 60)); do
  sleep "$SAMPLE"
  t=$((SECONDS - start))
  rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$wpid/status" 2>/dev/null || echo '?')
  frames=$(grep '"type":"stats"' "$WORK/watch.ndjson" | tail -1 | sed -nE 's/.*"frames":([0-9]+).*/\1/p')
  frames=${frames:-0}
  rate=$(awk -v f="$frames" -v lf="$last_frames" -v t="$t" -v lt="$last_t" 'BEGIN { printf "%.0f", (t > lt) ? (f - lf) / (t - lt) : 0 }')
  rows+=("| $t | $frames | $rate | $rss |")
  bench_log "  ${t}s: $frames frames analysed, ${rate}/s, RSS ${rss} MiB"
  last_frames=$frames
  last_t=$t
done
wait "$spid" 2>/dev/null
sleep 2
kill -INT "$wpid" 2>/dev/null
for _ in $(seq 1 300); do kill -0 "$wpid" 2>/dev/null || break; sleep 0.1; done
wait "$wpid"
wcode=$?

sent=$(sed -nE 's/^sent=([0-9]+).*/\1/p' "$WORK/sender.log")
final=$(grep '"final":true' "$WORK/watch.ndjson" | tail -1)
analysed=$(sed -nE 's/.*"frames":([0-9]+).*/\1/p' <<<"$final")
dropped=$(sed -nE 's/.*"dropped":([0-9]+|null).*/\1/p' <<<"$final")
received=$(sed -nE 's/.*"received":([0-9]+).*/\1/p' <<<"$final")
peak=$(printf '%s\n' "${rows[@]}" | awk -F'|' '{ gsub(/ /, "", $5); if ($5 + 0 > m) m = $5 + 0 } END { print m + 0 }')
summary="sent ${sent:-?}, ${received:-?} passed the capture filter and were received, analysed ${analysed:-?}, kernel drops ${dropped:-?}, watch exit $wcode, peak sampled RSS ${peak} MiB"
bench_log "soak: $summary"

{
  echo "# Soak: watch fed $FRAMES frames at $RATE frames/s ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null))"
  echo
  echo "Machine: $(nproc) CPUs, node $(node --version), tcpdump engine, default filter, ${SAMPLE} s samples. $summary."
  echo
  echo "| s | frames analysed | frames/s since last | RSS MiB |"
  echo "|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} | tee "$RESULTS"
[[ $wcode == 0 || $wcode == 1 || $wcode == 3 ]] || exit 1
[[ ${dropped:-x} == 0 ]] || exit 1
((peak <= 95)) || exit 1
exit 0
