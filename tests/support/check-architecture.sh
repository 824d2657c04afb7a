#!/usr/bin/env bash
# Keeps ARCHITECTURE.md true: every repository path it names in backticks must exist.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=0
while read -r path; do
  [ -e "$path" ] || { echo "ARCHITECTURE.md names $path, which does not exist" >&2; missing=1; }
done < <(grep -o '`[A-Za-z0-9_./-]*`' ARCHITECTURE.md | tr -d '`' \
         | grep -E '^(src-tauri|crates|ui|tests|assets|capabilities|\.ci)/|^(Cargo\.toml|tauri\.conf\.json|Makefile)$' \
         | sort -u)
exit "$missing"
