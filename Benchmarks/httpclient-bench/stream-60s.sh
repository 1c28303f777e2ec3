#!/bin/bash
# The 60-second streaming acceptance run: `twister get` on an endless chunked XML stream, client RSS every 10 s.
# Usage: Benchmarks/httpclient-bench/stream-60s.sh [path-to-twister]   (from the repository root)
set -e
TWISTER=${1:-.build/debug/twister}
DIR=$(mktemp -d)
python3 - "$DIR" <<'PY'
import sys, re
src = open("Tests/WebTests/ClientRealSocketTests.swift").read()
open(sys.argv[1] + "/server.py", "w").write(src[src.index('#"""') + 4:src.index('"""#')])
PY
python3 "$DIR/server.py" "$DIR/port" & SERVER=$!
while [ ! -f "$DIR/port" ]; do sleep 0.1; done
"$TWISTER" get --max-time 60 "http://127.0.0.1:$(cat "$DIR/port")/stream" \
  | python3 -c 'import sys
n=0; t=b""; total=0
while True:
    b=sys.stdin.buffer.read1(65536)
    if not b: break
    total+=len(b); d=t+b; n+=d.count(b"</item>"); t=d[-6:]
print("elements", n, "bytes", total)' &
sleep 1
GET=$(pgrep -n -f "twister get --max-time 60")
for i in 0 1 2 3 4 5; do echo "t=$((i*10))s rss_kb=$(awk '/VmRSS/{print $2}' /proc/$GET/status)"; sleep 10; done
wait %2 || true
kill $SERVER
rm -rf "$DIR"
