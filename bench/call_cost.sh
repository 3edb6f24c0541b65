#!/usr/bin/env bash
# Per-call latency of one AWS call (DescribeDBSnapshots of a 5-snapshot
# instance, on loopback against the emulator) three ways:
#   - rds_backup: SELECT count(*) FROM rds_backup.rds_snapshots('bench-db'),
#     CALLS times in one psql session (\timing);
#   - curl: the same signed POST (--aws-sigv4), CALLS requests in ONE curl
#     process, so the connection is kept alive (time_total per request);
#   - AWS CLI: aws rds describe-db-snapshots, CLI_RUNS runs, process start
#     included.
# The extension's call also writes its audit_log row (one short-lived
# background worker, a transaction of its own); there is no setting to turn
# auditing off, so the figure is the total, and the audit row's own
# duration_ms (the HTTP exchange as the extension timed it) splits it into
# the HTTP part and the rest.
set -u
. "$(dirname "$0")/lib.sh"
bench_setup || exit 1

CALLS=${CALLS:-300}
CLI_RUNS=${CLI_RUNS:-10}
BODY="Action=DescribeDBSnapshots&Version=2014-10-31&DBInstanceIdentifier=bench-db&MaxRecords=100"
W=$(mktemp -d "$RB_TMP/call_cost.XXXXXX")

emu reset
emu seed-instance bench-db
emu seed-snapshot bench-snap --instance bench-db --count 5

# --- rds_backup -----------------------------------------------------------
want=$(q "SELECT count(*) FROM rds_backup.rds_snapshots('bench-db')")
[ "$want" = 5 ] || { echo "call_cost: rds_snapshots returned '$want' rows, not 5"; exit 1; }
a0=$(q "SELECT coalesce(max(id), 0) FROM rds_backup.audit_log")
{
	echo "SELECT count(*) FROM rds_backup.rds_snapshots('bench-db');"	# warm-up
	echo '\timing on'
	for _ in $(seq "$CALLS"); do
		echo "SELECT count(*) FROM rds_backup.rds_snapshots('bench-db');"
	done
} >"$W/calls.sql"
psql -XAtq -v ON_ERROR_STOP=1 -f "$W/calls.sql" >"$W/calls.out" || exit 1
sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' "$W/calls.out" >"$W/ext.ms"
[ "$(wc -l <"$W/ext.ms")" -eq "$CALLS" ] || { echo "call_cost: expected $CALLS timings"; exit 1; }
# the HTTP exchange of each timed call, as the extension measured it
q "SELECT duration_ms FROM rds_backup.audit_log
    WHERE id > $a0 AND action = 'DescribeDBSnapshots' ORDER BY id OFFSET 1" >"$W/http.ms"
paste "$W/ext.ms" "$W/http.ms" | awk '{print $1 - $2}' >"$W/rest.ms"
audited=$(wc -l <"$W/http.ms")

# --- curl, one process, kept-alive connection -----------------------------
{
	for i in $(seq $((CALLS + 1))); do
		[ "$i" -gt 1 ] && echo "next"
		echo "url = \"$RB_EMU_URL/\""
		echo "aws-sigv4 = \"aws:amz:us-east-1:rds\""
		echo "user = \"$RB_KEY_ID:$RB_SECRET\""
		echo "header = \"Content-Type: application/x-www-form-urlencoded; charset=utf-8\""
		echo "data = \"$BODY\""
		echo "output = \"/dev/null\""
		echo "silent"
		echo "fail"
		echo "write-out = \"%{time_total} %{num_connects} %{http_code}\\n\""
	done
} >"$W/curl.cfg"
chmod 600 "$W/curl.cfg"
curl -K "$W/curl.cfg" >"$W/curl.raw" || { echo "call_cost: curl failed"; head -3 "$W/curl.raw"; exit 1; }
# a request that failed its signature would not be a 200
if awk '$3 != 200 {bad=1} END {exit !bad}' "$W/curl.raw"; then
	echo "call_cost: curl got a non-200 answer"; exit 1
fi
connects=$(awk '{s += $2} END {print s}' "$W/curl.raw")
tail -n +2 "$W/curl.raw" | awk '{printf "%.3f\n", $1 * 1000}' >"$W/curl.ms"	# first: warm-up

# --- AWS CLI, a process per call ------------------------------------------
# the CLI itself, not a version manager's shim in front of it
AWS_BIN=$(pyenv which aws 2>/dev/null || command -v aws)
: >"$W/cli.ms"
for _ in $(seq "$CLI_RUNS"); do
	t0=$(date +%s%N)
	env AWS_ACCESS_KEY_ID="$RB_KEY_ID" AWS_SECRET_ACCESS_KEY="$RB_SECRET" \
		AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		AWS_EC2_METADATA_DISABLED=true AWS_PAGER= \
		"$AWS_BIN" rds describe-db-snapshots --db-instance-identifier bench-db \
		--endpoint-url "$RB_EMU_URL" --output json >"$W/cli.json" || { echo "call_cost: aws failed"; exit 1; }
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000 ))" | awk '{printf "%.3f\n", $1 / 1000}' >>"$W/cli.ms"
done
n_cli=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["DBSnapshots"]))' "$W/cli.json")
[ "$n_cli" = 5 ] || { echo "call_cost: the CLI saw $n_cli snapshots, not 5"; exit 1; }

e50=$(pct 50 <"$W/ext.ms"); e95=$(pct 95 <"$W/ext.ms")
h50=$(pct 50 <"$W/http.ms"); h95=$(pct 95 <"$W/http.ms")
r50=$(pct 50 <"$W/rest.ms"); r95=$(pct 95 <"$W/rest.ms")
c50=$(pct 50 <"$W/curl.ms"); c95=$(pct 95 <"$W/curl.ms")
a50=$(pct 50 <"$W/cli.ms"); a95=$(pct 95 <"$W/cli.ms")

echo "call_cost: DescribeDBSnapshots (5 snapshots), loopback emulator, times in ms"
printf '  %-44s %5s calls  p50 %8s  p95 %8s\n' "rds_backup rds_snapshots(), total" "$CALLS" "$e50" "$e95"
printf '  %-44s %5s calls  p50 %8s  p95 %8s\n' "  of which the HTTP exchange (audit duration)" "$audited" "$h50" "$h95"
printf '  %-44s %5s calls  p50 %8s  p95 %8s\n' "  the rest (audit_log write, parse, SQL)" "$CALLS" "$r50" "$r95"
printf '  %-44s %5s calls  p50 %8s  p95 %8s  (%s connection(s))\n' "curl --aws-sigv4, one process, kept alive" "$CALLS" "$c50" "$c95" "$connects"
printf '  %-44s %5s runs   p50 %8s  p95 %8s  (%s)\n' "aws rds describe-db-snapshots (process start)" "$CLI_RUNS" "$a50" "$a95" "$("$AWS_BIN" --version 2>&1 | cut -d' ' -f1)"
echo "call_cost: p50 rds_backup ${e50} ms, curl ${c50} ms (x$(ratio "$e50" "$c50") of curl; HTTP part x$(ratio "$h50" "$c50")), aws cli ${a50} ms (rds_backup is $(ratio "$a50" "$e50") times faster)"
