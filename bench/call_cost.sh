#!/usr/bin/env bash
# The cost of one read call (DescribeDBSnapshots, one page of five
# snapshots) against bench/static_server, a loopback HTTP/1.1 server that
# answers every request at once with the same fixed reply, three ways:
#   - curl: ONE process making N requests over one kept-alive connection
#     (a -K config with N urls joined by "next"), plain and --aws-sigv4;
#   - rds_backup: ONE statement calling rds_backup.rds_snapshots() N times
#     (generate_series + LATERAL), in a psql session of its own;
#   - AWS CLI: aws rds describe-db-snapshots, one process per call.
# curl and rds_backup each run N1 and then N2 calls; the time of one call
# is (T(N2) - T(N1)) / (N2 - N1), so process start, connection set-up and
# the statement's fixed costs cancel out.  Each round runs every client
# once, so that all see the same load on the machine; a figure is the
# median over the rounds, and "best" the same from the fastest N1 run and
# the fastest N2 run.  The server counts requests and connections and the
# script checks them: N requests over one connection per client run.
set -u
. "$(dirname "$0")/lib.sh"
# run on its own, this script starts (and so stops) PostgreSQL itself
OWN_SETUP=${RB_BENCH_READY:-yes}
bench_setup || exit 1

N1=${CALL_N1:-100}
N2=${CALL_N2:-1600}
ROUNDS=${CALL_ROUNDS:-9}
CLI_RUNS=${CLI_RUNS:-5}
BODY="Action=DescribeDBSnapshots&Version=2014-10-31&DBInstanceIdentifier=bench-db&MaxRecords=100"
CTYPE="application/x-www-form-urlencoded; charset=utf-8"
W=$(mktemp -d "$RB_TMP/call_cost.XXXXXX")

# The server and every client run on one CPU (CALL_CPU, default the last;
# "none" leaves them to the scheduler): a request then costs what the
# client and the server do, not where the scheduler happened to put them.
# Across CPUs each request waits for two cross-CPU wake-ups, which on a
# virtual machine take tens of microseconds and vary from round to round.
CPU=${CALL_CPU:-$(($(nproc) - 1))}
PM_PID=$(head -n 1 "$PGDATA/postmaster.pid")
PM_MASK=
# a command prefix, not a function: "$!" of a background job is then the
# program itself (taskset execs it), and killing it stops the server
ON_CPU=()
if [ "$CPU" != none ] && command -v taskset >/dev/null; then
	PM_MASK=$(taskset -p "$PM_PID" 2>/dev/null | awk '{print $NF}')
	# backends the postmaster starts from now on inherit its CPU
	if [ -n "$PM_MASK" ] && taskset -p -c "$CPU" "$PM_PID" >/dev/null 2>&1; then
		ON_CPU=(taskset -c "$CPU")
		PLACEMENT="server and clients on CPU $CPU"
	else
		PM_MASK=
		CPU=none
	fi
fi
[ "$CPU" = none ] && PLACEMENT="placed by the scheduler"

[ -x "$BENCH_DIR/static_server" ] || make -s -C "$BENCH_DIR" static_server || exit 1
"${ON_CPU[@]}" "$BENCH_DIR/static_server" -f "$W/static.port" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null; [ -n "$PM_MASK" ] && taskset -p "$PM_MASK" "$PM_PID" >/dev/null 2>&1; [ "$OWN_SETUP" = yes ] && rb_cleanup' EXIT
for _ in $(seq 50); do
	[ -s "$W/static.port" ] && break
	sleep 0.1
done
[ -s "$W/static.port" ] || { echo "call_cost: static_server did not start"; exit 1; }
URL="http://127.0.0.1:$(cat "$W/static.port")"

# counts: "REQUESTS CONNECTIONS" the server has seen so far
counts() { curl -s "$URL/_stats" | awk '{print $2, $4}'; }
now_us() { echo $(($(date +%s%N) / 1000)); }

# check_counts WHAT BEFORE AFTER REQUESTS: REQUESTS more over one connection
# (the /_stats request that read AFTER is a connection of its own)
check_counts() {
	local req=$(($(echo "$3" | cut -d' ' -f1) - $(echo "$2" | cut -d' ' -f1)))
	local conn=$(($(echo "$3" | cut -d' ' -f2) - $(echo "$2" | cut -d' ' -f2) - 1))
	if [ "$req" -ne "$4" ] || [ "$conn" -ne 1 ]; then
		echo "call_cost: $1 made $req requests over $conn connections, not $4 over 1" >&2
		return 1
	fi
}

# curl_cfg N FILE [sign]: N requests in one config
curl_cfg() {
	local i
	for i in $(seq "$1"); do
		[ "$i" -gt 1 ] && echo "next"
		echo "url = \"$URL/\""
		if [ -n "${3:-}" ]; then
			echo "aws-sigv4 = \"aws:amz:us-east-1:rds\""
			echo "user = \"$RB_KEY_ID:$RB_SECRET\""
		fi
		echo "header = \"Content-Type: $CTYPE\""
		echo "data = \"$BODY\""
		echo "output = \"/dev/null\""
		echo "silent"
		echo "fail"
	done >"$2"
	chmod 600 "$2"
}
for n in "$N1" "$N2"; do
	curl_cfg "$n" "$W/plain.$n.cfg"
	curl_cfg "$n" "$W/signed.$n.cfg" sign
done

# curl_run KIND N: microseconds of one curl process making N requests
curl_run() {
	local t0 t1 before after
	before=$(counts)
	t0=$(now_us)
	"${ON_CPU[@]}" curl -K "$W/$1.$2.cfg" || { echo "call_cost: curl failed" >&2; return 1; }
	t1=$(now_us)
	after=$(counts)
	check_counts "curl ($1)" "$before" "$after" "$2" || return 1
	echo $((t1 - t0))
}

# ext_run: one session, a warm-up statement, then N1 and N2 calls in one
# statement each; prints psql's two timings in microseconds
CALLS="SELECT count(*) FROM generate_series(1, %d) g,
  LATERAL rds_backup.rds_snapshots(CASE WHEN g > 0 THEN 'bench-db' END) s;"
{
	echo "SET rds_backup.endpoint = '$URL';"
	# the connection, catalog caches, libxml2
	printf "$CALLS\n" 20
	echo '\timing on'
	printf "$CALLS\n" "$N1"
	printf "$CALLS\n" "$N2"
} >"$W/ext.sql"
ext_run() {
	local before after rows
	before=$(counts)
	psql -XAtq -v ON_ERROR_STOP=1 -f "$W/ext.sql" >"$W/ext.out" 2>&1 ||
		{ echo "call_cost: rds_snapshots() failed:" >&2; head -5 "$W/ext.out" >&2; return 1; }
	after=$(counts)
	check_counts "rds_backup" "$before" "$after" $((20 + N1 + N2)) || return 1
	rows=$(grep -v '^Time:' "$W/ext.out" | tr '\n' ' ')
	if [ "$rows" != "100 $((5 * N1)) $((5 * N2)) " ]; then
		echo "call_cost: rds_snapshots() returned $rows rows, not 5 a call" >&2
		return 1
	fi
	sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' "$W/ext.out" | awk '{printf "%d ", $1 * 1000}'
}

# per_call T1 T2: microseconds per call from the two timings
per_call() { awk -v a="$1" -v b="$2" -v n1="$N1" -v n2="$N2" 'BEGIN {printf "%.1f\n", (b - a) / (n2 - n1)}'; }

for kind in plain signed ext; do
	: >"$W/$kind.us"
	: >"$W/$kind.t"
done
for _ in $(seq "$ROUNDS"); do
	for kind in plain signed; do
		t1=$(curl_run "$kind" "$N1") && t2=$(curl_run "$kind" "$N2") || exit 1
		per_call "$t1" "$t2" >>"$W/$kind.us"
		echo "$t1 $t2" >>"$W/$kind.t"
	done
	t=$(ext_run) || exit 1
	per_call $t >>"$W/ext.us"
	echo "$t" >>"$W/ext.t"
done

# --- AWS CLI, a process per call ------------------------------------------
# the CLI itself, not a version manager's shim in front of it
AWS_BIN=$(pyenv which aws 2>/dev/null || command -v aws)
: >"$W/cli.us"
for _ in $(seq "$CLI_RUNS"); do
	t0=$(now_us)
	"${ON_CPU[@]}" env AWS_ACCESS_KEY_ID="$RB_KEY_ID" AWS_SECRET_ACCESS_KEY="$RB_SECRET" \
		AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		AWS_EC2_METADATA_DISABLED=true AWS_PAGER= \
		"$AWS_BIN" rds describe-db-snapshots --db-instance-identifier bench-db \
		--endpoint-url "$URL" --output json >"$W/cli.json" || { echo "call_cost: aws failed"; exit 1; }
	t1=$(now_us)
	echo $((t1 - t0)) >>"$W/cli.us"
done
n_cli=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["DBSnapshots"]))' "$W/cli.json")
[ "$n_cli" = 5 ] || { echo "call_cost: the CLI saw $n_cli snapshots, not 5"; exit 1; }

p50() { pct 50 <"$1"; }
[ -n "${CALL_DEBUG:-}" ] && paste "$W/plain.us" "$W/signed.us" "$W/ext.us" >&2
range() { sort -g "$1" | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.1f-%.1f", lo, hi}'; }
# best: from the fastest N1 run and the fastest N2 run; other work on the
# machine only ever adds time, so these are the least disturbed
best() { awk -v n1="$N1" -v n2="$N2" 'NR == 1 || $1 < a {a = $1} NR == 1 || $2 < b {b = $2}
	END {printf "%.1f", (b - a) / (n2 - n1)}' "$1"; }
plain=$(p50 "$W/plain.us")
signed=$(p50 "$W/signed.us")
ext=$(p50 "$W/ext.us")
cli=$(p50 "$W/cli.us")

echo "call_cost: DescribeDBSnapshots, one page of 5 snapshots ($(curl -s -o /dev/null -w '%{size_download}' -d "$BODY" "$URL/")-byte reply) from bench/static_server on loopback"
echo "  per call: (T($N2) - T($N1)) / $((N2 - N1)) in one process or statement, $ROUNDS rounds; $PLACEMENT"
printf '  %-44s %9s us  best %7s us  (rounds %s)\n' "curl, one process, kept alive" "$plain" "$(best "$W/plain.t")" "$(range "$W/plain.us")"
printf '  %-44s %9s us  best %7s us  (rounds %s)\n' "curl --aws-sigv4, one process, kept alive" "$signed" "$(best "$W/signed.t")" "$(range "$W/signed.us")"
printf '  %-44s %9s us  best %7s us  (rounds %s)\n' "rds_backup.rds_snapshots(), one statement" "$ext" "$(best "$W/ext.t")" "$(range "$W/ext.us")"
printf '  %-44s %9s us  (%d runs; %s)\n' "aws rds describe-db-snapshots, a process each" \
	"$(awk -v v="$cli" 'BEGIN {printf "%.0f", v}')" "$CLI_RUNS" "$("$AWS_BIN" --version 2>&1 | cut -d' ' -f1)"
echo "call_cost: rds_backup ${ext} us a call (median): x$(ratio "$ext" "$plain") of curl's kept-alive round trip, best x$(ratio "$(best "$W/ext.t")" "$(best "$W/plain.t")") (x$(ratio "$ext" "$signed") of curl signing too); the AWS CLI takes $(ratio "$cli" "$ext") times as long"
