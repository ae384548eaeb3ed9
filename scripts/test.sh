#!/usr/bin/env bash
# Install quizgen with its test dependencies into a virtual environment (.venv, made when missing;
# QUIZGEN_VENV picks another folder), Debian's Chromium for the HTML tests when root and missing,
# then run the whole test suite with that environment's Python, one pytest-xdist worker per core. This
# is the README's test command; .ci/run calls it as it is. Extra arguments go to pytest (-n 0: serial).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${QUIZGEN_VENV:-.venv}"

fail() { echo "scripts/test.sh: $*" >&2; exit 1; }

# apt-get install, waiting for apt's lock when another apt (say, unattended-upgrades) holds it, and
# trying again a few times before one clear line says what failed.
apt_install() {
  local try
  for try in 1 2 3 4 5; do
    if apt-get -qq -o DPkg::Lock::Timeout=60 update >/dev/null 2>&1 \
        && DEBIAN_FRONTEND=noninteractive apt-get -qq -y -o DPkg::Lock::Timeout=60 install --no-install-recommends \
           "$@" >/dev/null 2>&1; then
      return 0
    fi
    echo "apt-get could not install $* (try $try of 5); waiting for apt's lock..." >&2
    sleep 15
  done
  fail "could not install Debian's $* with apt-get (is another package manager still running?)"
}

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || fail "quizgen needs Python 3.11 or newer; python3 is $(python3 -V 2>&1)"

if ! command -v chromium >/dev/null 2>&1; then
  if can_apt; then
    echo "installing Debian's chromium for the browser tests..."
    apt_install chromium
  else
    echo "warning: chromium is missing and cannot be installed here; browser tests will be skipped" >&2
  fi
fi

if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then  # Debian keeps venv's pip in python3-venv
    can_apt || fail "python3 -m venv needs Debian's python3-venv: sudo apt-get install python3-venv"
    echo "installing Debian's python3-venv..."
    apt_install python3-venv
  fi
  # --system-site-packages: a PyTorch already installed for this Python is used, not downloaded again
  python3 -m venv --system-site-packages "$venv" || fail "could not create the virtual environment $venv"
fi

"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]" \
  || fail "pip could not install quizgen's test dependencies into $venv (see above)"
# axe-core, the accessibility rules the browser tests run inside each page: from npm into a local
# folder (.cache/npm, not committed).
if [ ! -f .cache/npm/node_modules/axe-core/axe.min.js ]; then
  if ! command -v npm >/dev/null 2>&1 && can_apt; then
    echo "installing Debian's npm for the accessibility test..."
    apt_install npm
  fi
  if command -v npm >/dev/null 2>&1; then
    npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@4 >/dev/null
  else
    echo "warning: npm is missing; the axe-core accessibility test will be skipped" >&2
  fi
fi
# In parallel, one worker per core (at most four), each taking the next test as it frees up: torch's
# cross-checks and the browser tests are long, so an even split up front would leave a worker idle.
exec "$venv/bin/python" -m pytest -n auto --maxprocesses 4 --dist worksteal "$@"
