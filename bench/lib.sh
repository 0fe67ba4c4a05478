# Shared by bench/run.sh, bench/ci-smoke.sh and bench/memory.sh (sourced, not run).
# Defines the commands under test once, so the timed run and the CI smoke run
# exercise exactly the same command lines.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-bench/out}
CLI=bin/anycast-probe
GENERATOR=dist/scripts/bench-generate.js
# The BPF filter tcpdump gets: what `frames` prints by default (ARP + ICMP), tagged or not.
BPF_FILTER='arp or icmp or (vlan and (arp or icmp))'
# The bench capture's anycast gateway (scripts/bench-generate.ts).
ANYCAST_FLAGS='--anycast-ip 10.172.0.10 --anycast-mac 02:ca:fe:00:00:01'

bench_log() { printf '%s\n' "$*" >&2; }

# "500k" -> 500000, "5M" -> 5000000, "20000" -> 20000.
bench_count() {
  local s=$1 n unit
  n=${s%[kKmM]}
  unit=${s#"$n"}
  [[ $n =~ ^[0-9]+$ ]] || { bench_log "bad size: $s (use e.g. 500k, 5M, 20000)"; return 2; }
  case $unit in
    k|K) echo $((n * 1000)) ;;
    m|M) echo $((n * 1000000)) ;;
    *) echo "$n" ;;
  esac
}

# Builds dist/ (tsc, then the bundle bin/anycast-probe runs) when the generator or the CLI is
# missing. tsc still emits when another part of the tree has type errors, so only a missing
# output is fatal.
bench_ensure_build() {
  if [[ ! -f $GENERATOR || ! -f dist/bundle/main.js ]]; then
    bench_log "building dist/ (npm run build)"
    npm run build >&2 || true
  fi
  [[ -f $GENERATOR && -f dist/bundle/main.js ]] || { bench_log "build failed: $GENERATOR or dist/bundle/main.js missing"; return 2; }
}

# bench_generate FRAMES FILE: writes FILE unless it exists (same seed, same bytes).
bench_generate() {
  local frames=$1 file=$2
  if [[ -s $file ]]; then return 0; fi
  mkdir -p "$(dirname "$file")"
  node "$GENERATOR" --frames "$frames" --out "$file.tmp" --seed 1 && mv "$file.tmp" "$file"
}

# Root may install what is missing; anyone else gets a hint.
bench_install_tools() {
  local missing=()
  [[ -x /usr/bin/time ]] || missing+=(time)
  command -v tcpdump >/dev/null || missing+=(tcpdump)
  command -v tshark >/dev/null || missing+=(tshark)
  ((${#missing[@]})) || return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    bench_log "installing: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2 ||
      { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2; } || true
  else
    bench_log "missing tools: ${missing[*]} (install them, or run as root to let this script apt-get them)"
  fi
}

bench_have_analyze() {
  "$CLI" --help 2>/dev/null | grep -q 'anycast-probe analyze'
}

# bench_commands FILE FRAMES: fills the parallel arrays CMD_LABEL, CMD_LINE,
# CMD_OK_CODES ("0" or "0 1") and CMD_SKIP (empty, or why the command is not run).
bench_commands() {
  local file=$1 frames=$2
  CMD_LABEL=() CMD_LINE=() CMD_OK_CODES=() CMD_SKIP=()
  local analyze_skip=""
  bench_have_analyze || analyze_skip="analyze: not available"
  local tshark_skip=""
  command -v tshark >/dev/null || tshark_skip="tshark not installed"
  if [[ -z $tshark_skip ]] && ((frames > ${BENCH_TSHARK_MAX_FRAMES:-1000000})); then
    tshark_skip="small file only"
  fi
  local tcpdump_skip=""
  command -v tcpdump >/dev/null || tcpdump_skip="tcpdump not installed"

  # analyze exits 1 when it finds problems (the bench capture has an arp_filter fault).
  _bench_add "anycast-probe analyze --json" "$CLI analyze $file --json > /dev/null" "0 1" "$analyze_skip"
  # Told the anycast addresses, analyze needs no inference (both read the file once).
  _bench_add "anycast-probe analyze --json --anycast-ip/-mac" "$CLI analyze $file --json $ANYCAST_FLAGS > /dev/null" "0 1" "$analyze_skip"
  # The same on one core (no decode thread): what a gateway busy with other work gets.
  _bench_add "anycast-probe analyze --json --anycast-ip/-mac --threads 1" "$CLI analyze $file --json $ANYCAST_FLAGS --threads 1 > /dev/null" "0 1" "$analyze_skip"
  # BENCH_BASELINE=DIR: the same analyze commands with another build (a worktree of an earlier
  # commit, built), interleaved in the same run, for a before/after on the same machine state.
  if [[ -n ${BENCH_BASELINE:-} ]]; then
    local base_skip=""
    [[ -x $BENCH_BASELINE/bin/anycast-probe && -f $BENCH_BASELINE/dist/bundle/main.js ]] || base_skip="baseline not built: $BENCH_BASELINE"
    _bench_add "baseline analyze --json" "$BENCH_BASELINE/bin/anycast-probe analyze $file --json > /dev/null" "0 1" "$base_skip"
    _bench_add "baseline analyze --json --anycast-ip/-mac" "$BENCH_BASELINE/bin/anycast-probe analyze $file --json $ANYCAST_FLAGS > /dev/null" "0 1" "$base_skip"
  fi
  _bench_add "anycast-probe frames -q" "$CLI frames $file -q > /dev/null" "0" ""
  _bench_add "anycast-probe frames --json -q" "$CLI frames $file --json -q > /dev/null" "0" ""
  _bench_add "tcpdump BPF-only (-w /dev/null)" "tcpdump -r $file -w /dev/null '$BPF_FILTER' 2> /dev/null" "0" "$tcpdump_skip"
  _bench_add "tcpdump -nn (printing)" "tcpdump -nn -r $file '$BPF_FILTER' > /dev/null 2> /dev/null" "0" "$tcpdump_skip"
  _bench_add "tshark -Y 'arp or icmp'" "tshark -r $file -Y 'arp or icmp' > /dev/null 2> /dev/null" "0" "$tshark_skip"
}

_bench_add() {
  CMD_LABEL+=("$1") CMD_LINE+=("$2") CMD_OK_CODES+=("$3") CMD_SKIP+=("$4")
}

# bench_time LINE: runs LINE under /usr/bin/time; sets T_WALL (s), T_CPU (user + sys, s: steadier
# than wall time on a shared machine), T_RSS_KB, T_RC.
bench_time() {
  local tf user sys
  tf=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' -o "$tf" bash -c "$1"
  T_RC=$?
  # GNU time writes "Command exited with non-zero status N" first when it fails.
  read -r T_WALL user sys T_RSS_KB < <(tail -n 1 "$tf")
  T_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  rm -f "$tf"
}

bench_code_ok() { # CODE "ALLOWED CODES"
  [[ " $2 " == *" $1 "* ]]
}

# bench_veth_lab TAG: a namespace acp$TAG-$$ holding a veth pair (BENCH_TX -> BENCH_RX, IPv6 off, up),
# and a scratch dir BENCH_WORK; on exit every PID in BENCH_PIDS is ended (TERM, up to 2 s each, then
# KILL) and both are removed. Sets BENCH_NS. Returns non-zero when the namespace cannot be built.
# Only what the script started is ended, by PID: bench_forget_pid drops a reaped one, so the cleanup
# can never signal a recycled PID.
BENCH_PIDS=()
bench_veth_lab() {
  local tag=$1
  BENCH_NS=acp$tag-$$ BENCH_TX=acp$tag-tx BENCH_RX=acp$tag-rx
  BENCH_WORK=$(mktemp -d "/tmp/acp$tag.XXXXXX") || return 2
  trap _bench_veth_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  ip netns add "$BENCH_NS" || return 2
  ip netns exec "$BENCH_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 2
  ip -n "$BENCH_NS" link add "$BENCH_TX" type veth peer name "$BENCH_RX" || return 2
  ip -n "$BENCH_NS" link set lo up && ip -n "$BENCH_NS" link set "$BENCH_TX" up && ip -n "$BENCH_NS" link set "$BENCH_RX" up
}
bench_forget_pid() {
  local keep=() p
  for p in "${BENCH_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  BENCH_PIDS=("${keep[@]}")
}
_bench_veth_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null; done
  for pid in "${BENCH_PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done
  ip netns del "$BENCH_NS" 2>/dev/null
  rm -rf "$BENCH_WORK"
}
