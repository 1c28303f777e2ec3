#!/usr/bin/env bash
# User-space instructions per operation of one echo server under callgrind (load-independent):
#   Benchmarks/core-bench/callgrind.sh NAME SERVER_BINARY pp1|pp100|stream SECONDS
# The server runs under valgrind --tool=callgrind with `echo PORT`; loadgen (this package) drives it: a 1-second
# warm-up then SECONDS of ping-pong (64-byte messages), or SECONDS of 64 KiB stream. Prints instructions ÷ round
# trips (both loadgen runs counted) or ÷ 64 KiB blocks echoed; startup is included, so the figure is a slight over-estimate.
# valgrind 3.19 gives up on SwiftNIO's debug info: pass a copy made with `objcopy --strip-debug`.
set -u
name=$1; bin=$2; mode=$3; secs=$4
B=$(cd "$(dirname "$0")" && pwd)/.build/release
port=$((24000 + RANDOM % 2000))
out=/tmp/callgrind-$name-$mode
rm -f $out.*
valgrind --tool=callgrind --callgrind-out-file=$out.cg "$bin" echo $port > $out.srv 2>$out.vg &
vpid=$!
for _ in $(seq 100); do grep -q listening $out.srv 2>/dev/null && break; sleep 0.2; done
case $mode in
  pp1) "$B/loadgen" pingpong $port 1 1 64 > $out.lg0; "$B/loadgen" pingpong $port 1 "$secs" 64 > $out.lg ;;
  pp100) "$B/loadgen" pingpong $port 100 1 64 > $out.lg0; "$B/loadgen" pingpong $port 100 "$secs" 64 > $out.lg ;;
  stream) "$B/loadgen" stream $port "$secs" > $out.lg ;;
esac
sleep 0.8
kill -INT $vpid; sleep 1; kill $vpid 2>/dev/null; wait $vpid 2>/dev/null
ir=$(callgrind_annotate $out.cg 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1; exit}')
# Units: round trips, or 64 KiB blocks echoed for stream.
units=$(cat $out.lg0 $out.lg 2>/dev/null | awk '/total trips/{s+=$3} /total bytes/{s+=$3/65536} END{printf "%d", s}')
echo "$name $mode instructions=$ir units=$units per-unit=$(awk -v a="$ir" -v b="$units" 'BEGIN{ if (b>0) printf "%.1f", a/b}') (per round trip, or per 64 KiB echoed) profile=$out.cg"
