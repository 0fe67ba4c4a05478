#!/usr/bin/env bash
# Memory flatness: peak RSS of `anycast-probe frames - -q` (and `analyze -`,
# configured and not, when it exists) reading ~0.5 GB and ~2 GB of pcap from a pipe. The input is
# the 500k-frame bench capture with its records repeated (bench/repeat-pcap.mjs),
# so no big file is written. A streaming reader shows the same peak for both.
#
#   bench/memory.sh            BENCH_DIR=bench/out, sizes 0.5 GB and 2 GB
#   MEMORY_TARGETS_MB="500 2000 4000" bench/memory.sh
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_ROOT" || exit 2

TARGETS=(${MEMORY_TARGETS_MB:-500 2000})
bench_install_tools
[[ -x /usr/bin/time ]] || { bench_log "/usr/bin/time (GNU time) is required"; exit 2; }
bench_ensure_build || exit 2
file=$BENCH_DIR/mesh-500k.pcap
bench_generate 500000 "$file" || exit 2
body=$(($(stat -c %s "$file") - 24))

# `-` means stdin; if this build of the CLI does not take it, read /dev/stdin.
stdin=-
if ! head -c 24 "$file" | "$CLI" frames - -q > /dev/null 2>&1; then
  stdin=/dev/stdin
  bench_log "note: 'frames -' failed on a valid pcap header; reading /dev/stdin instead"
fi
cmds=("$CLI frames $stdin -q")
# analyze reads its input once, told the anycast addresses or not (unconfigured,
# it infers them on the way and keeps a bounded look-back of decoded rows).
bench_have_analyze && cmds+=("$CLI analyze $stdin --json $ANYCAST_FLAGS" "$CLI analyze $stdin --json")

failed=0
echo "| Command | Input (pipe) | Frames | Wall s | Peak RSS MiB |"
echo "|---|---:|---:|---:|---:|"
for cmd in "${cmds[@]}"; do
  for mb in "${TARGETS[@]}"; do
    times=$(((mb * 1000000 + body - 1) / body))
    bytes=$((24 + times * body))
    # Only the reader is timed, so %M is its peak RSS, not the feeder's.
    tf=$(mktemp)
    node bench/repeat-pcap.mjs "$file" "$times" | /usr/bin/time -f '%e %M' -o "$tf" bash -c "$cmd > /dev/null"
    T_RC=${PIPESTATUS[1]}
    read -r T_WALL T_RSS_KB < <(tail -n 1 "$tf")
    rm -f "$tf"
    if ! bench_code_ok "$T_RC" "0 1"; then
      echo "| \`$cmd\` | $(awk -v b=$bytes 'BEGIN { printf "%.2f GB", b / 1e9 }') | | failed (exit $T_RC) | |"
      failed=1
      continue
    fi
    printf '| `%s` | %s | %s | %s | %d |\n' "$cmd" "$(awk -v b=$bytes 'BEGIN { printf "%.2f GB", b / 1e9 }')" \
      $((times * 500000)) "$T_WALL" $((T_RSS_KB / 1024))
  done
done
echo
echo "Input: \`node bench/repeat-pcap.mjs $file TIMES | /usr/bin/time -f '%e %M' COMMAND > /dev/null\` (only the reader is timed)."
[[ $stdin == - ]] || echo "Note: \`frames -\` did not accept stdin in this build, so the reader was given /dev/stdin."
exit $failed
