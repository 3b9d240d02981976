#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test (npm run test:browser), unless it is already there.
# Browsers downloaded by test tools themselves are not used: the project drives this one with playwright-core.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  chromium --version
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing: run 'sudo apt-get install chromium' (Debian/Ubuntu) or set CHROMIUM_PATH" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
chromium --version
