#!/usr/bin/env bash
# Set up everything on a fresh machine (Python 3.11+) and run the whole test suite:
# ruff on all the code and mypy on decision_aid/, then pytest (unit, rules, API, CDS Hooks, browser tests).
# It installs what the tests need when missing: Debian's chromium, npm and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's chromium for the browser tests (Playwright's own browser download does not work offline).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# Debian's redis-server: the CDS Hooks replay tests start their own on a free loopback port, and fail without it.
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi

# axe-core (npm) for the accessibility scan of the patient page; that test fails loudly without it.
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
fi
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

echo "== ruff"
.venv/bin/ruff check decision_aid/ api/ tests/ bench/
echo "== mypy"
.venv/bin/mypy decision_aid/
echo "== pytest"
.venv/bin/python -m pytest "$@"
