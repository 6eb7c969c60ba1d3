#!/usr/bin/env bash
# Build the one-folder client bundle: dist/bridewell/bridewell (about 125 MB; issue 17 caps it at 180 MB).
# Installs PyInstaller (the `packaging` extra in pyproject.toml) into .venv if it is missing.
#   packaging/build.sh            build into dist/bridewell
#   packaging/build.sh --smoke    build, then run packaging/smoke_test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

py=.venv/bin/python
if [ ! -x "$py" ]; then
  echo "build: no .venv; run scripts/setup first" >&2
  exit 1
fi
if ! "$py" -c 'import PyInstaller' 2>/dev/null; then
  # The version range lives once, in pyproject.toml's `packaging` extra.
  spec=$("$py" -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["packaging"]))')
  echo "build: installing $spec"
  "$py" -m pip install -q $spec 2>&1 | grep -v 'is ignored' || true
  "$py" -c 'import PyInstaller' # fail loudly if the install did not work
fi

start=$(date +%s%N)
"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/bridewell.spec
end=$(date +%s%N)
size=$(du -sh dist/bridewell | cut -f1)
echo "build: dist/bridewell/bridewell built in $(( (end - start) / 1000000 )) ms, $size"

if [ "${1:-}" = "--smoke" ]; then
  exec packaging/smoke_test.sh dist/bridewell/bridewell
fi
