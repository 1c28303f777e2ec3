#!/bin/bash
# Static file, 1 MiB (issue 4): `twister web` against nginx (1 worker, sendfile on), alternating rounds.
# Server on CPU 0, wrk on CPU 1. Needs a release build: swift build -c release --product twister
# Usage: bash Benchmarks/static-file-bench/run.sh [rounds]   (default 3)
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
TW=${TW:-$HERE/../../.build/release/twister}
ROUNDS=${1:-3}
DIR=$(mktemp -d /tmp/twister-static-bench-XXXXXX)
chmod 755 "$DIR"   # nginx workers run as nobody
mkdir -p "$DIR/www" "$DIR/nginx"
head -c 1048576 /dev/urandom > "$DIR/www/file1m.bin"
sed "s|@DIR@|$DIR|g" "$HERE/nginx.conf" > "$DIR/nginx/nginx.conf"
uptime
taskset -c 0 "$TW" web --path "$DIR/www" --listen tcp:18080 >"$DIR/twister.log" 2>&1 & TWPID=$!
taskset -c 0 nginx -c "$DIR/nginx/nginx.conf" & NGPID=$!
sleep 1
curl -s -o /dev/null -w "twister %{http_code} %{size_download}\n" http://127.0.0.1:18080/file1m.bin
curl -s -o /dev/null -w "nginx %{http_code} %{size_download}\n" http://127.0.0.1:18081/file1m.bin
for r in $(seq 1 "$ROUNDS"); do
  for s in twister:18080 nginx:18081; do
    name=${s%%:*}; port=${s##*:}
    rps=$(taskset -c 1 wrk -t1 -c16 -d8s "http://127.0.0.1:$port/file1m.bin" | awk '/Requests\/sec/ {print $2}')
    echo "round $r $name $rps"
  done
done
kill "$TWPID"; kill -QUIT "$NGPID"; wait || true
uptime
rm -rf "$DIR"
