#!/usr/bin/env bash
# `make fuzz`: runs each fuzz target for a bounded time (libFuzzer via cargo-fuzz; the stable
# compiler is allowed its -Z flags with RUSTC_BOOTSTRAP; no sanitizer: the code is safe Rust, and
# speed buys coverage). Usage: fuzz/run.sh SECONDS TARGET...
#
# Seeds: the demo mailbox for MIME and rendering, the shipped masks for the mask loader, the demo
# voicemails' audio for the decoder, fuzz/seeds/<target> where present. A crash, OOM or timeout
# is copied to fuzz/regressions/<target>/ (commit it: `make test` replays it) and fails the run
# after every target had its turn. Per target, runs and findings go to target/security/fuzz.json
# for `make security-report`; libFuzzer's output to fuzz/logs/<target>.log.
set -euo pipefail
seconds=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo fuzz --help >/dev/null 2>&1 || cargo install cargo-fuzz --version 0.13.2 --locked
mkdir -p target/security fuzz/logs
rows=()
failed=0
for target in "$@"; do
  corpus=fuzz/corpus/$target
  artifacts=fuzz/artifacts/$target
  mkdir -p "$corpus" "$artifacts" "fuzz/regressions/$target"
  case $target in
    mask_toml) cp assets/masks/*.toml "$corpus/" ;;
    audio_decode) python3 -c 'import email, pathlib, sys
for f in pathlib.Path("assets/demo").glob("*voicemail*.eml"):
    for p in email.message_from_bytes(f.read_bytes()).walk():
        if p.get_content_maintype() == "audio":
            pathlib.Path(sys.argv[1], p.get_filename() or "audio").write_bytes(p.get_payload(decode=True))' "$corpus" ;;
    vvm_sms) ;;
    *) cp assets/demo/*.eml "$corpus/" ;;
  esac
  [ -d "fuzz/seeds/$target" ] && cp "fuzz/seeds/$target"/* "$corpus/"
  before=$(ls "$artifacts" | sort)
  log=fuzz/logs/$target.log
  echo "fuzz: $target for $seconds s"
  started=$(date +%s)
  status=0
  (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -O -s none "$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=16384) >"$log" 2>&1 || status=$?
  # "Done N runs in S second(s)" at a clean end; the last "#N" status line after a finding
  # (and then the wall time, build included).
  done_line=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
  runs=$(echo "$done_line" | grep -oE '[0-9]+' | head -1 || true)
  took=$(echo "$done_line" | grep -oE '[0-9]+' | tail -1 || true)
  [ -n "$took" ] || took=$(( $(date +%s) - started ))
  [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
  found=$(comm -13 <(echo "$before") <(ls "$artifacts" | sort) | grep -E '^(crash|oom|timeout|leak|slow-unit)-' || true)
  findings=0
  for file in $found; do
    cp "$artifacts/$file" "fuzz/regressions/$target/$file"
    findings=$((findings + 1))
  done
  if [ "$status" -ne 0 ] || [ "$findings" -gt 0 ]; then
    failed=1
    echo "fuzz: $target FOUND $findings input(s) (exit $status); see $log, kept in fuzz/regressions/$target/"
  else
    echo "fuzz: $target: ${runs:-0} runs in $took s, nothing found"
  fi
  rows+=("{\"target\": \"$target\", \"runs\": ${runs:-0}, \"seconds\": $took, \"findings\": $findings, \"exit\": $status}")
done
{
  echo "{\"finished\": \"$(date -u +%FT%TZ)\", \"commit\": \"$(git rev-parse --short HEAD)\", \"targets\": ["
  (IFS=','; echo "${rows[*]}")
  echo "]}"
} > target/security/fuzz.json
exit $failed
