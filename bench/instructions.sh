#!/bin/bash
# Instructions per message of the mask engine and of a bare html5ever parse, counted by callgrind
# (`make bench-instructions`). Deterministic where wall-clock times are not: on a shared virtual
# machine identical timed runs differed by 40 %. Usage: bench/instructions.sh BENCH_BIN INPUTS_DIR
set -euo pipefail
bench=$1
inputs=$2
rounds=20
count() { # set mode -> "messages instructions"
  local log
  log=$(valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_rounds*' \
    --callgrind-out-file=/dev/null "$bench" rounds "$inputs" "$1" "$2" "$rounds" 2>&1)
  local messages instructions
  messages=$(sed -n 's/^bench: \([0-9]*\) messages.*/\1/p' <<<"$log")
  instructions=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$log")
  if [ -z "$messages" ] || [ -z "$instructions" ]; then
    echo "bench: counting $1 $2 failed:" >&2
    echo "$log" >&2
    exit 1
  fi
  echo "$messages $instructions"
}
printf '%-20s %16s %16s %8s\n' "input set" "parse (M/msg)" "render (M/msg)" "ratio"
for set in generated-typical demo-html; do
  read -r messages parse < <(count "$set" parse)
  read -r _ render < <(count "$set" render)
  awk -v set="$set" -v n=$((messages * rounds)) -v p="$parse" -v r="$render" \
    'BEGIN { printf "%-20s %16.2f %16.2f %7.2fx\n", set, p / n / 1e6, r / n / 1e6, r / p }'
done
