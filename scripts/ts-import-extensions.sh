#!/usr/bin/env bash
# Adds the ".ts" extension to relative imports that lack one, so the same
# modules load in workerd (bundled), vitest and plain Node 22 (type stripping).
set -euo pipefail
files=$(grep -rlE "from '\.{1,2}/[^']*'" --include='*.ts' "$@" || true)
for f in $files; do
  perl -pi -e "s{(from\s+'(\.{1,2}/[^']*?))(?<!\.ts)(?<!\.js)(?<!\.json)(?<!\.yaml)'}{\$1.ts'}g" "$f"
done
