#!/usr/bin/env bash
# State bounded under attack: peak RSS, time and what was left out when
# analyze and the live path (replay --fast, what watch runs) read the hostile
# captures of scripts/flood-generate.ts (a million unique MACs, unanswered
# echo requests, unique flows, an ARP storm, a flip-flop storm).
#
#   bench/flood.sh [SIZE]          frames per flood (default 1M; e.g. 200k)
#   BENCH_DIR=bench/out            where the captures go (git-ignored)
#   FLOOD_KINDS="macs echo"        a subset
#
# Prints a Markdown table and writes it to bench/flood-results.md. Exits 1 if
# a command failed (exit code not 0, 1 or 3), or its peak RSS passed the
# 100 MB target; the widest line of the text report is in the table.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_ROOT" || exit 2

size=${1:-1M}
frames=$(bench_count "$size") || exit 2
read -r -a kinds <<< "${FLOOD_KINDS:-macs echo flows arp-storm flip-flop}"
RESULTS=bench/flood-results.md
TARGET_KB=$((100 * 1000 * 1000 / 1024))
ALL='--detectors +unanswered-anycast'

[[ -x /usr/bin/time ]] || { bench_log "/usr/bin/time (GNU time) is required"; exit 2; }
bench_ensure_build || exit 2
[[ -f dist/scripts/flood-generate.js ]] || npm run build >&2

rows=()
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for kind in "${kinds[@]}"; do
  file=$BENCH_DIR/flood-$kind-$size.pcap
  if [[ ! -s $file ]]; then
    mkdir -p "$BENCH_DIR"
    node dist/scripts/flood-generate.js --kind "$kind" --frames "$frames" --out "$file.tmp" && mv "$file.tmp" "$file" || { bench_log "cannot generate $file"; exit 2; }
  fi
  cat "$file" > /dev/null
  for mode in "analyze (unconfigured)" "analyze $ALL, configured" "replay --fast --ndjson (watch's path)"; do
    case $mode in
      "analyze (unconfigured)") cmd="$CLI analyze $file" ;;
      "analyze $ALL, configured") cmd="$CLI analyze $file $ANYCAST_FLAGS $ALL" ;;
      *) cmd="$CLI replay --fast --ndjson $file $ALL" ;;
    esac
    # shellcheck disable=SC2086
    FORCE_COLOR=0 /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" $cmd > "$tmp/out" 2> "$tmp/err"
    code=$?
    read -r wall user sys rss_kb < <(tail -1 "$tmp/time")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    rss_mib=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')
    # The report: the text one, or the NDJSON stream's last line (the document).
    if [[ $mode == replay* ]]; then
      report=$(tail -1 "$tmp/out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s).report;console.log(`${r.verdict}, ${r.findings.length} findings, ${r.stats.evictions} not tracked`)})')
      widest=$(head -n -1 "$tmp/out" | wc -l)
      widest="$widest stream lines"
    else
      report=$(head -1 "$tmp/out" | cut -c1-60)
      left=$(grep -oE '[0-9]+ flows evicted|[0-9]+ more [a-z-]+ findings|table is full[^.]*' "$tmp/out" | head -3 | paste -sd ';' -)
      [[ -n $left ]] && report="$report … ($left)"
      widest="$(python3 -c 'import sys; print(max(len(l) for l in open(sys.argv[1], encoding="utf-8").read().split("\n")))' "$tmp/out") chars widest"
    fi
    ok=yes
    case $code in 0|1|3) ;; *) ok="exit $code: $(head -c 120 "$tmp/err")"; failed=1 ;; esac
    ((rss_kb > TARGET_KB)) && { ok="over 100 MB"; failed=1; }
    rows+=("| $kind | $mode | $wall | $cpu | $rss_mib | $ok | $report | $widest |")
    bench_log "$kind, $mode: ${wall} s, ${cpu} s CPU, ${rss_mib} MiB, exit $code"
  done
done

{
  echo "# Flood captures, $frames frames each ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null))"
  echo
  echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), node $(node --version). CPU = user + sys. Target: peak RSS ≤ 100 MB."
  echo
  echo "| Flood | Command | Wall s | CPU s | Peak RSS MiB | OK | Report | Output |"
  echo "|---|---|---:|---:|---:|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$RESULTS"
exit $failed
