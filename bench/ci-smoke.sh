#!/usr/bin/env bash
# CI variant of bench/run.sh: a 20k-frame capture, every command once, no
# timing assertions. Exits non-zero only when a command fails (or the capture
# cannot be built); tools that are not installed are skipped with a note.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_ROOT" || exit 2

FRAMES=20000
file=$BENCH_DIR/ci-20k.pcap

[[ -x /usr/bin/time ]] || bench_install_tools
[[ -x /usr/bin/time ]] || { bench_log "/usr/bin/time (GNU time) is required"; exit 2; }
bench_ensure_build || exit 2
rm -f "$file"
bench_generate "$FRAMES" "$file" || { bench_log "cannot generate $file"; exit 1; }

failed=0
bench_commands "$file" "$FRAMES"
for ((i = 0; i < ${#CMD_LABEL[@]}; i++)); do
  if [[ -n ${CMD_SKIP[i]} ]]; then
    # The smoke file is small: run tshark anyway when it is installed.
    if [[ ${CMD_SKIP[i]} != "small file only" ]]; then
      printf 'skip  %-48s %s\n' "${CMD_LABEL[i]}" "${CMD_SKIP[i]}"
      continue
    fi
  fi
  bench_time "${CMD_LINE[i]}"
  if bench_code_ok "$T_RC" "${CMD_OK_CODES[i]}"; then
    printf 'ok    %-48s %6.2f s %6d MiB\n' "${CMD_LABEL[i]}" "$T_WALL" $((T_RSS_KB / 1024))
  else
    printf 'FAIL  %-48s exit %s: %s\n' "${CMD_LABEL[i]}" "$T_RC" "${CMD_LINE[i]}"
    failed=1
  fi
done
exit $failed
