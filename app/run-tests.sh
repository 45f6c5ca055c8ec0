#!/usr/bin/env bash
# Run the model server's tests, creating app/.venv from requirements-dev.txt when it is
# missing or the requirements changed. Works from any directory; extra args go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt requirements-train.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [[ ! -x .venv/bin/python || ! -f $stamp || $(cat "$stamp") != "$wanted" ]]; then
  echo "run-tests.sh: installing app/.venv from requirements-dev.txt" >&2
  python3 -m venv .venv
  .venv/bin/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
  echo "$wanted" > "$stamp"
fi
exec .venv/bin/python -m pytest "$@"
