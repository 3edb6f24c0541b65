#!/usr/bin/env bash
# A query cancel or statement_timeout stops a request that AWS never
# answers within 100 ms (README, Errors): measured on the server's own
# clock, from the moment of the cancel (or of the timeout) to the ERROR in
# the server log, three times each; the median must be under 100 ms.
. "$(dirname "$0")/assert.sh"

emu reset
emu seed-instance cancel-db
CALL="SELECT count(*) FROM rds_backup.rds_snapshots('cancel-db')"

# epoch seconds of the server log line of backend PID that says TEXT
log_time() {
	/usr/bin/python3 - "$PGDATA.log" "$1" "$2" <<-'PY'
		import calendar, sys, time
		path, pid, text = sys.argv[1], sys.argv[2], sys.argv[3]
		for line in open(path, errors="replace"):
		    if "[%s]" % pid in line and text in line:
		        day, clock = line.split()[0:2]
		        t = calendar.timegm(time.strptime(day + " " + clock.split(".")[0], "%Y-%m-%d %H:%M:%S"))
		        print("%.3f" % (t + int(clock.split(".")[1]) / 1000.0))
		        break
	PY
}

ms_between() { /usr/bin/python3 -c "import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000 - float(sys.argv[3])))" "$@"; }

median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

cancel=()
timeout=()
for i in 1 2 3; do
	# pg_cancel_backend() while the request waits for a reply
	emu fault DescribeDBSnapshots hang --delay 20 --count 1
	psql -XAtq -c "SET application_name = 'cancel-$i'" -c "$CALL" >/dev/null 2>&1 &
	bg=$!
	wait_for "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = 'cancel-$i' AND state = 'active'" \
		Extension 10 >/dev/null
	read -r pid t0 _ <<<"$(q "SELECT pid || ' ' || extract(epoch FROM clock_timestamp()) || ' ' || pg_cancel_backend(pid)
	                          FROM pg_stat_activity WHERE application_name = 'cancel-$i'")"
	wait $bg
	t1=$(log_time "$pid" "canceling statement due to user request")
	cancel+=("$(ms_between "$t0" "${t1:-0}" 0)")

	# statement_timeout of 300 ms
	emu fault DescribeDBSnapshots hang --delay 20 --count 1
	out=$(psql -XAtq -c "SELECT pg_backend_pid() || ' ' || extract(epoch FROM clock_timestamp())" \
		-c "SET statement_timeout = '300ms'" -c "$CALL" 2>/dev/null)
	read -r pid t0 <<<"$out"
	t1=$(log_time "$pid" "canceling statement due to statement timeout")
	timeout+=("$(ms_between "$t0" "${t1:-0}" 300)")
	emu faults-clear
done
m=$(median "${cancel[@]}")
if [ "$m" -ge 0 ] && [ "$m" -lt 100 ]; then
	pass "pg_cancel_backend ends a waiting request within 100 ms (median $m ms of ${cancel[*]})"
else
	fail "cancel latency" "median $m ms of ${cancel[*]}"
fi
m=$(median "${timeout[@]}")
if [ "$m" -ge 0 ] && [ "$m" -lt 100 ]; then
	pass "statement_timeout ends a waiting request within 100 ms of the timeout (median $m ms of ${timeout[*]})"
else
	fail "statement_timeout latency" "median $m ms of ${timeout[*]}"
fi
is "$(q "$CALL")" "0" "calls work again afterwards"

done_testing
