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
python3 -m pytest "$@"
