#!/usr/bin/env bash
# Runs the end-to-end suite: Xvfb + tauri-driver (+ WebKitWebDriver) + WebdriverIO against the
# built app, with a fresh data dir so the app starts as for a new user. Screenshots go to
# target/e2e/. Usage: tests/e2e/run.sh  (TIDINGS_APP overrides the binary; the binaries are looked
# for in $CARGO_TARGET_DIR when it is set; E2E_SPEC=specs/links.e2e.ts runs one spec of the main suite).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILT=${CARGO_TARGET_DIR:-$ROOT/target}/debug
export TIDINGS_APP=${TIDINGS_APP:-$BUILT/tidings-app}
export TAURI_DRIVER_PORT=${TAURI_DRIVER_PORT:-4444}
NATIVE_PORT=$((TAURI_DRIVER_PORT + 1))
LOGS=$HERE/logs
export E2E_SHOTS=$ROOT/target/e2e
mkdir -p "$LOGS" "$E2E_SHOTS"

for tool in Xvfb tauri-driver WebKitWebDriver curl; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing; run 'make deps'" >&2; exit 2; }
done
[ -x "$TIDINGS_APP" ] || { echo "e2e: no app binary at $TIDINGS_APP; run 'make app'" >&2; exit 2; }
export TIDINGS_CLI=${TIDINGS_CLI:-$BUILT/tidings}
[ -x "$TIDINGS_CLI" ] || { echo "e2e: no tidings binary at $TIDINGS_CLI; run 'make app'" >&2; exit 2; }
grep -q 'assets/index-' "$TIDINGS_APP" || {
  echo "e2e: $TIDINGS_APP does not embed the UI; build it with --features custom-protocol" >&2; exit 2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$TAURI_DRIVER_PORT" "$NATIVE_PORT"; do
  port_open "$port" && { echo "e2e: port $port is busy" >&2; exit 2; }
done
DISPLAY_NUMBER=${E2E_DISPLAY:-99}
while [ -e "/tmp/.X11-unix/X$DISPLAY_NUMBER" ] || [ -e "/tmp/.X$DISPLAY_NUMBER-lock" ]; do
  DISPLAY_NUMBER=$((DISPLAY_NUMBER + 1))
done

SCRATCH=$(mktemp -d)
XVFB_PID=""
DRIVER_PID=""
stop() { [ -n "$1" ] || return 0; kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
DOVECOT_PID=""
# The test Dovecot stops (and removes its files) when its standard input closes.
stop_dovecot() {
  [ -n "$DOVECOT_PID" ] || return 0
  exec 4>&-
  for _ in $(seq 100); do kill -0 "$DOVECOT_PID" 2>/dev/null || break; sleep 0.1; done
  stop "$DOVECOT_PID"
}
cleanup() { local rc=$?; stop "$DRIVER_PID"; stop_dovecot; stop "$XVFB_PID"; rm -rf "$SCRATCH"; exit "$rc"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

Xvfb ":$DISPLAY_NUMBER" -screen 0 1280x800x24 -nolisten tcp >"$LOGS/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X$DISPLAY_NUMBER" ] && break; sleep 0.1; done
[ -S "/tmp/.X11-unix/X$DISPLAY_NUMBER" ] || { echo "e2e: Xvfb did not start" >&2; exit 1; }

# The app inherits this environment through tauri-driver: a new user's empty data dirs.
export DISPLAY=":$DISPLAY_NUMBER"
export TIDINGS_DATA_DIR=$SCRATCH/data/tidings
export XDG_DATA_HOME=$SCRATCH/data XDG_CACHE_HOME=$SCRATCH/cache XDG_CONFIG_HOME=$SCRATCH/config
# The system browser and mail program: an xdg-open first in PATH that only writes down each link
# it is given, one per line, in $E2E_OPENED (the specs read it; nothing is really opened).
mkdir -p "$SCRATCH/bin"
export E2E_OPENED=$SCRATCH/opened.txt
printf '#!/bin/sh\nprintf "%%s\\n" "$1" >> "%s"\n' "$E2E_OPENED" > "$SCRATCH/bin/xdg-open"
chmod +x "$SCRATCH/bin/xdg-open"
export PATH="$SCRATCH/bin:$PATH"
# The webview takes the UI's language from the locale (C: navigator.languages is ["C"], so the UI
# falls back to English), and the specs read English texts whatever the developer's locale.
export LC_ALL=C.UTF-8
start_driver() {
  tauri-driver --port "$TAURI_DRIVER_PORT" --native-port "$NATIVE_PORT" >"$LOGS/tauri-driver.log" 2>&1 &
  DRIVER_PID=$!
  local ready=""
  for _ in $(seq 200); do
    kill -0 "$DRIVER_PID" 2>/dev/null || { cat "$LOGS/tauri-driver.log" >&2; exit 1; }
    curl -fsS "http://127.0.0.1:$TAURI_DRIVER_PORT/status" >/dev/null 2>&1 && { ready=1; break; }
    sleep 0.1
  done
  [ -n "$ready" ] || { echo "e2e: tauri-driver did not become ready" >&2; exit 1; }
}
# A test Dovecot (TLS with its own CA, user alice, three messages in INBOX) for the spec that
# adds an account through the dialog; its ports and certificate fingerprint go to $E2E_DOVECOT.
TEST_DOVECOT=${TEST_DOVECOT:-$BUILT/tidings-test-dovecot}
[ -x "$TEST_DOVECOT" ] || { echo "e2e: no $TEST_DOVECOT; run 'cargo build -p tidings-testkit --bin tidings-test-dovecot'" >&2; exit 2; }
mkfifo "$SCRATCH/dovecot.stdin"
"$TEST_DOVECOT" <"$SCRATCH/dovecot.stdin" >"$SCRATCH/dovecot.json" 2>"$LOGS/test-dovecot.log" &
DOVECOT_PID=$!
exec 4>"$SCRATCH/dovecot.stdin"
for _ in $(seq 300); do [ -s "$SCRATCH/dovecot.json" ] && break; sleep 0.1; done
[ -s "$SCRATCH/dovecot.json" ] || { cat "$LOGS/test-dovecot.log" >&2; echo "e2e: the test Dovecot did not start" >&2; exit 1; }
export E2E_DOVECOT=$SCRATCH/dovecot.json E2E_DOVECOT_INPUT=$SCRATCH/dovecot.stdin

start_driver

cd "$HERE"
[ "${E2E_MAIN:-1}" = 0 ] || npx wdio run ./wdio.conf.ts ${E2E_SPEC:+--spec "$E2E_SPEC"}

# The security suite (tests/security/): the hostile-mail corpus in a data dir of its own, which
# wdio.security.conf.ts seeds with `tidings import` before the app starts; tauri-driver is
# restarted so that the app inherits it. E2E_SECURITY=0 skips it (E2E_MAIN=0 the main suite).
if [ "${E2E_SECURITY:-1}" != 0 ]; then
  stop "$DRIVER_PID"
  export TIDINGS_DATA_DIR=$SCRATCH/security/tidings
  mkdir -p "$SCRATCH/security"
  start_driver
  npx wdio run ./wdio.security.conf.ts
  echo "e2e: security summary in $E2E_SHOTS/security.json (make security-report)"
fi
echo "e2e: screenshots in $E2E_SHOTS"
