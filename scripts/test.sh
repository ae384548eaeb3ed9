#!/usr/bin/env bash
# Install quizgen with its test dependencies (and Debian's Chromium for the HTML tests), then run
# the whole test suite. This is the README's test command; .ci/run calls it as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: chromium is missing and cannot be installed here; browser tests will be skipped" >&2
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"

# axe-core, the accessibility rules the browser tests run inside each page: from npm into a local
# folder (.cache/npm, not committed).
if [ ! -f .cache/npm/node_modules/axe-core/axe.min.js ]; then
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's npm for the accessibility test..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  if command -v npm >/dev/null 2>&1; then
    npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@4 >/dev/null
  else
    echo "warning: npm is missing; the axe-core accessibility test will be skipped" >&2
  fi
fi
python3 -m pytest "$@"
