#!/usr/bin/env bash
# Backend memory stays flat over many calls: one session makes N calls of
# rds_backup.rds_snapshots('bench-db') (20,000, or as many as fit in about
# MEM_SECONDS at the speed of a first timed batch), and samples the
# backend's own memory every 10%: VmRSS and RssAnon from /proc/PID/status
# (RssAnon leaves out the shared buffers the backend happens to touch), and
# the total of pg_backend_memory_contexts.  The growth that counts is from
# 20% to 100%: the first calls warm caches (catalog, plan, libcurl, libxml2).
set -u
. "$(dirname "$0")/lib.sh"
bench_setup || exit 1

MAX_CALLS=${MAX_CALLS:-20000}
MEM_SECONDS=${MEM_SECONDS:-60}
W=$(mktemp -d "$RB_TMP/memory.XXXXXX")
CALL="SELECT count(*) FROM rds_backup.rds_snapshots('bench-db');"
SAMPLE="SELECT 'sample', :k, substring(s from 'VmRSS:\s+(\d+)'), substring(s from 'RssAnon:\s+(\d+)'),
  (SELECT sum(total_bytes) FROM pg_backend_memory_contexts),
  (SELECT count(*) FROM pg_backend_memory_contexts)
  FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') s;"

emu reset
emu seed-instance bench-db
emu seed-snapshot bench-snap --instance bench-db --count 5

# how many calls fit: time a first batch of 200 in a session of its own
{ for _ in $(seq 200); do echo "$CALL"; done; } >"$W/probe.sql"
t0=$(date +%s%N)
psql -XAtq -v ON_ERROR_STOP=1 -f "$W/probe.sql" >/dev/null || exit 1
t1=$(date +%s%N)
per_call_us=$(( (t1 - t0) / 1000 / 200 ))
n=$(( MEM_SECONDS * 1000000 / per_call_us ))
[ "$n" -gt "$MAX_CALLS" ] && n=$MAX_CALLS
n=$(( n / 10 * 10 ))
[ "$n" -lt 1000 ] && n=1000
step=$(( n / 10 ))

{
	echo "\\set k 0"
	echo "$SAMPLE"
	for k in $(seq 1 10); do
		for _ in $(seq "$step"); do echo "$CALL"; done
		echo "\\set k $((k * step))"
		echo "$SAMPLE"
	done
} >"$W/run.sql"
t0=$(date +%s%N)
psql -XAtq -F ' ' -v ON_ERROR_STOP=1 -f "$W/run.sql" >"$W/run.out" || exit 1
t1=$(date +%s%N)
secs=$(awk -v ns=$((t1 - t0)) 'BEGIN {printf "%.1f", ns / 1e9}')
grep '^sample ' "$W/run.out" >"$W/samples"
[ "$(wc -l <"$W/samples")" -eq 11 ] || { echo "memory: expected 11 samples"; cat "$W/run.out" | head; exit 1; }
bad=$(grep -vc -e '^sample' -e '^5$' "$W/run.out")
[ "$bad" -eq 0 ] || { echo "memory: $bad calls did not return 5 rows"; exit 1; }

echo "memory: $n calls of rds_snapshots() in one session, ${secs} s ($(awk -v s="$secs" -v n="$n" 'BEGIN {printf "%.2f", s * 1000 / n}') ms a call)"
printf '  %6s %7s %12s %12s %16s %9s\n' "done" "calls" "VmRSS kB" "RssAnon kB" "contexts bytes" "contexts"
awk -v n="$n" '{printf "  %5d%% %7d %12d %12d %16d %9d\n", $2 * 100 / n, $2, $3, $4, $5, $6}' "$W/samples"
read -r _ _ rss20 anon20 ctx20 _ < <(sed -n 3p "$W/samples")
read -r _ _ rss100 anon100 ctx100 _ < <(sed -n 11p "$W/samples")
calls=$(( n - 2 * step ))
echo "memory: growth from 20% to 100% ($calls calls): VmRSS $((rss100 - rss20)) kB, RssAnon $((anon100 - anon20)) kB, memory contexts $((ctx100 - ctx20)) bytes ($(awk -v d=$((ctx100 - ctx20)) -v c="$calls" 'BEGIN {printf "%.2f", d / c}') bytes a call)"
