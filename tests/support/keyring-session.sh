#!/usr/bin/env bash
# Runs a command against a throw-away, unlocked gnome-keyring on a private D-Bus session bus.
#
# Usage: tests/support/keyring-session.sh <command> [args...]
#   e.g. tests/support/keyring-session.sh cargo test -p tidings-keychain
# The command sees TIDINGS_KEYRING_SESSION=1 (tests that need a Secret Service run only then),
# DBUS_SESSION_BUS_ADDRESS of the private bus, and XDG dirs inside a scratch dir, so the user's real
# keyring (~/.local/share/keyrings) is never read or written. Exits with the command's exit code.
# Needs: dbus (dbus-run-session, dbus-send), gnome-keyring. Env: TIDINGS_KEYRING_PASSWORD (default tidings-test).
# Adapted from /work/shared/recipes/keyring.md.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || {
    echo "$tool not found: apt-get install dbus gnome-keyring" >&2
    exit 127
  }
done

# First pass: start a private session bus and re-run this script inside it; the bus (and with it
# gnome-keyring) goes away when the inner pass returns.
if [ -z "${TIDINGS_KEYRING_INNER:-}" ]; then
  export TIDINGS_KEYRING_INNER=1
  exec dbus-run-session -- "$0" "$@"
fi
unset TIDINGS_KEYRING_INNER

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tidings-keyring.XXXXXX")
daemon_pid=""
cleanup() {
  local rc=$?
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
  exit "$rc"
}
trap cleanup EXIT

export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# --unlock reads the password on stdin, creates and unlocks the default "login" collection, then forks.
printf '%s' "${TIDINGS_KEYRING_PASSWORD:-tidings-test}" \
  | gnome-keyring-daemon --unlock --components=secrets >"$scratch/daemon.env"

owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}
# The forked daemon claims the bus name a little later.
for _ in $(seq 50); do owned && break; sleep 0.1; done
owned || { echo "gnome-keyring did not claim org.freedesktop.secrets within 5 s" >&2; exit 1; }
daemon_pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
  org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '/uint32/ {print $2}')
echo "keyring-session: Secret Service on a private bus, pid $daemon_pid ($(ps -o comm= -p "$daemon_pid"))" >&2

export TIDINGS_KEYRING_SESSION=1
set +e
"$@"
status=$?
set -e
exit "$status"
