#!/usr/bin/env bash
# Set up on a fresh machine (Python 3.11+) and run the service with its built-in knowledge base
# at http://127.0.0.1:8000 (pass --host/--port/--workers to change).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .
exec .venv/bin/decision-aid serve "$@"
