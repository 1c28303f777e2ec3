#!/usr/bin/env bash
# Renders the same 100-row template in Tornado and in Twister and prints one table with the ratio.
# Needs python3; creates /tmp/peers-venv with tornado if missing. Builds the Swift side with -c release.
set -euo pipefail
cd "$(dirname "$0")"
VENV=${VENV:-/tmp/peers-venv}
PY_ITER=${PY_ITER:-2000}
SWIFT_ITER=${SWIFT_ITER:-20000}
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -c "import tornado" 2>/dev/null || "$VENV/bin/pip" install -q tornado
swift build -c release --product TemplateBench >/dev/null
BIN=$(swift build -c release --show-bin-path)/TemplateBench

read -r tornado_rps tornado_bytes < <("$VENV/bin/python" bench.py table.html "$PY_ITER" /tmp/template-bench-tornado.html)
read -r twister_rps twister_bytes < <("$BIN" table.html "$SWIFT_ITER" /tmp/template-bench-twister.html)
if cmp -s /tmp/template-bench-tornado.html /tmp/template-bench-twister.html; then same=yes; else same=NO; fi
tornado_version=$("$VENV/bin/python" -c "import tornado; print(tornado.version)")

printf '| engine | renders per CPU-second | output bytes |\n|---|---:|---:|\n'
printf '| Tornado %s (%s) | %s | %s |\n' "$tornado_version" "$("$VENV/bin/python" -V 2>&1)" "$tornado_rps" "$tornado_bytes"
printf '| Twister (swift -c release) | %s | %s |\n' "$twister_rps" "$twister_bytes"
printf '\nratio Twister/Tornado: %sx; identical output: %s\n' "$(awk "BEGIN { printf \"%.1f\", $twister_rps / $tornado_rps }")" "$same"
