#!/usr/bin/env bash
# HTTP server benchmarks beyond the side-by-side table of ../shared/bench/http_plaintext.sh:
#   cpu  - server CPU time per request (utime+stime from /proc/PID/stat over one wrk run, divided by the
#          requests wrk completed): the load-independent "one core" comparison.
#   mem  - RSS of `twister hello` per idle keep-alive connection (N connections, one request each).
#
#   Benchmarks/http-bench.sh cpu [DURATION_S] [CONNECTIONS]     (from the project root, after swift build -c release)
#                            BASE_BIN=path/to/another/twister: also its hello-app and hello-app --async
#                            ONLY_APP=1: only SwiftNIO and the hello-app rows
#   Benchmarks/http-bench.sh mem [N]       REQ=0: connections that sent nothing; MEM_CMD='server --port PORT' for a peer
# Servers are pinned to CPU 0 and wrk to CPU 1, as the shared harness does.
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/twister}
NIO=${NIO:-/tmp/peers-build/release/nio}
TICK=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

wait_up() { for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }

cpu_one() { # name port cmd...
  local name=$1 port=$2; shift 2
  taskset -c 0 "$@" >/tmp/http-bench-srv.log 2>&1 &
  local pid=$!
  if ! wait_up "$port"; then echo "$name did not answer"; kill "$pid"; wait "$pid" 2>/dev/null; return; fi
  local t0; t0=$(cpu_ticks "$pid")
  local out; out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "http://127.0.0.1:$port/" 2>&1)
  local t1; t1=$(cpu_ticks "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null
  local reqs; reqs=$(awk '/requests in/{print $1}' <<<"$out")
  local rps; rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  awk -v n="$name" -v t0="$t0" -v t1="$t1" -v r="$reqs" -v rps="$rps" -v tick="$TICK" -v d="$DUR" 'BEGIN {
    cpu = (t1 - t0) / tick
    printf "%-26s %12s %10d %10.2f %10.1f%% %12.2f\n", n, rps, r, cpu, 100 * cpu / d, 1e6 * cpu / r }'
}

case ${1:-cpu} in
cpu)
  DUR=${2:-8}; CONNS=${3:-64}
  printf "%-26s %12s %10s %10s %11s %12s\n" server req_per_s requests cpu_s cpu_share us_per_req
  cpu_one swiftnio-1thread 18091 "$NIO" 18091 1
  [ -z "${ONLY_APP:-}" ] && cpu_one "twister hello" 18095 "$BIN" hello --listen tcp:18095
  cpu_one "twister hello-app" 18096 "$BIN" hello-app --listen tcp:18096
  cpu_one "twister hello-app --async" 18097 "$BIN" hello-app --async --listen tcp:18097
  [ -z "${ONLY_APP:-}" ] && cpu_one "twister hello-app --deferred" 18099 "$BIN" hello-app --deferred --listen tcp:18099
  if [ -n "${BASE_BIN:-}" ]; then   # another build (before/after a change), same run
    cpu_one "base hello-app" 18093 "$BASE_BIN" hello-app --listen tcp:18093
    cpu_one "base hello-app --async" 18094 "$BASE_BIN" hello-app --async --listen tcp:18094
  fi
  ;;
mem)
  N=${2:-5000}; REQ=${REQ:-1}
  ulimit -n "$(ulimit -Hn)"
  if [ -n "${MEM_CMD:-}" ]; then taskset -c 0 ${MEM_CMD//PORT/18098} >/tmp/http-bench-srv.log 2>&1 &
  else taskset -c 0 "$BIN" hello --listen tcp:18098 >/tmp/http-bench-srv.log 2>&1 &
  fi
  pid=$!
  wait_up 18098 || { echo "did not answer"; kill $pid; exit 1; }
  python3 - "$pid" "$N" 18098 "$REQ" <<'PY'
import socket, sys, time
pid, n, port, nreq = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def vm():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmData:"): return int(line.split()[1]) * 1024
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"): return int(line.split()[1]) * 1024
req = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
# warm up: one connection, one request, so the first-request allocations are not counted
w = socket.create_connection(("127.0.0.1", port)); w.sendall(req); w.recv(4096); w.close()
time.sleep(0.5)
before = rss(); vbefore = vm()
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port)); socks.append(s)
    if nreq: s.sendall(req)
for s in socks if nreq else []:
    data = b""
    while b"Hello, World!" not in data:
        chunk = s.recv(4096)
        if not chunk: raise SystemExit("connection closed")
        data += chunk
time.sleep(1.0)
after = rss(); vafter = vm()
print(f"VmData delta {(vafter-vbefore)/1024:.0f} KiB = {(vafter-vbefore)/n:.0f} bytes per connection")
print(f"connections {n}  requests_each {nreq}  rss_before {before/1024:.0f} KiB  rss_after {after/1024:.0f} KiB  "
      f"delta {(after-before)/1024:.0f} KiB  per_connection {(after-before)/n:.0f} bytes")
for s in socks: s.close()
PY
  kill $pid; wait $pid 2>/dev/null
  ;;
esac
