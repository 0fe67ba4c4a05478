#!/usr/bin/env bash
# The pipeline issue's speed bar, detector by detector: unconfigured analyze of
# this build, with all its detectors and with parts of them, interleaved with an
# earlier build's configured analyze (the bar: "unconfigured analyze at least as
# fast as configured was before").
#
#   BENCH_BASELINE=DIR bench/speed-bar.sh [SIZE]    SIZE like 5M (default)
#   BENCH_RUNS=4                                    rounds (default 4)
#
# DIR is a worktree of the earlier commit, built (`npm ci && npm run build`
# there); BENCHMARKS.md uses d68d636, the build before the pipeline work.
# Prints a Markdown table of medians and ranges, wall and CPU (user + sys).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -n ${BENCH_BASELINE:-} ]] || { bench_log "set BENCH_BASELINE to a built worktree of the earlier commit"; exit 2; }
# Relative to where it was given, before the cd below.
BENCH_BASELINE=$(cd "$BENCH_BASELINE" 2>/dev/null && pwd) || { bench_log "baseline not found: ${BENCH_BASELINE}"; exit 2; }
cd "$BENCH_ROOT" || exit 2
[[ -x $BENCH_BASELINE/bin/anycast-probe && -f $BENCH_BASELINE/dist/bundle/main.js ]] || { bench_log "baseline not built: $BENCH_BASELINE"; exit 2; }
[[ -x /usr/bin/time ]] || { bench_log "/usr/bin/time (GNU time) is required"; exit 2; }
bench_ensure_build || exit 2
RUNS=${BENCH_RUNS:-4}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { bench_log "BENCH_RUNS=$RUNS: expected a whole number of rounds, 1 or more"; exit 2; }
size=${1:-5M}
frames=$(bench_count "$size") || exit 2
file=$BENCH_DIR/mesh-$size.pcap
bench_generate "$frames" "$file" || { bench_log "cannot generate $file"; exit 2; }

labels=(
  "earlier build, configured"
  "this build, unconfigured, every default detector"
  "this build, unconfigured, asymmetric-reply only"
  "this build, unconfigured, every default detector but asymmetric-reply"
  "this build, unconfigured, anycast-claims only (reading and decoding)"
)
# Paths quoted for the `bash -c` of bench_time.
qfile=$(printf %q "$file")
qbase=$(printf %q "$BENCH_BASELINE")
lines=(
  "$qbase/bin/anycast-probe analyze --json $qfile $ANYCAST_FLAGS > /dev/null"
  "bin/anycast-probe analyze --json $qfile > /dev/null"
  "bin/anycast-probe analyze --json $qfile --detectors asymmetric-reply > /dev/null"
  "bin/anycast-probe analyze --json $qfile --skip-detectors asymmetric-reply > /dev/null"
  "bin/anycast-probe analyze --json $qfile --detectors anycast-claims > /dev/null"
)
declare -A walls=() cpus=()
for ((run = 1; run <= RUNS; run++)); do
  for i in "${!lines[@]}"; do
    cat "$file" > /dev/null # the VM reclaims page cache within minutes: re-warm before every run
    bench_time "${lines[i]}"
    # 1 is "problems found": the bench capture has some.
    bench_code_ok "$T_RC" "0 1" || { bench_log "FAILED (exit $T_RC): ${lines[i]}"; exit 1; }
    bench_log "run $run/$RUNS: ${T_WALL} s wall, ${T_CPU} s CPU: ${lines[i]}"
    walls[$i]+="$T_WALL "
    cpus[$i]+="$T_CPU "
  done
done

# "median (min–max)" of a list of numbers
summary() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f (%.2f–%.2f)", m, v[1], v[NR] }'; }
echo "$size file, $RUNS interleaved rounds, $(date -u '+%Y-%m-%d %H:%M') UTC; this build $(git rev-parse --short HEAD), earlier build $(git -C "$BENCH_BASELINE" rev-parse --short HEAD)"
echo
echo "| command | wall s | CPU s (user+sys) |"
echo "|---|---:|---:|"
for i in "${!lines[@]}"; do echo "| ${labels[i]} | $(summary "${walls[$i]}") | $(summary "${cpus[$i]}") |"; done
