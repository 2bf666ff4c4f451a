#!/usr/bin/env bash
# Installs the benchmark's peer (atlassian-python-api from PyPI) into a
# virtual environment under target/, and prints the python to run it with.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import atlassian" 2>/dev/null; then
  "$venv/bin/pip" install --quiet atlassian-python-api >&2
fi
echo "$PWD/$venv/bin/python"
