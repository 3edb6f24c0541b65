#!/usr/bin/env bash
# Query cancel and statement_timeout stop a request to an endpoint that
# never answers; the session stays usable, leaks nothing, and shows the
# wait in pg_stat_activity.
. "$(dirname "$0")/assert.sh"

emu reset
emu seed-instance orders-prod

# statement_timeout on a reply that never comes
emu fault DescribeDBSnapshots hang --count 1
t0=$(now_ms)
out=$(psql -XAtq -c "SET statement_timeout = '1s'" -c "SELECT count(*) FROM rds_backup.rds_snapshots()" \
	-c "RESET statement_timeout" -c "SELECT 'usable'" 2>&1)
t1=$(now_ms)
like "$out" "canceling statement due to statement timeout" "statement_timeout cancels a hanging request"
like "$out" "usable" "the session is usable after the timeout"
elapsed=$((t1 - t0))
if [ "$elapsed" -lt 2500 ]; then pass "cancelled within 1 s of the timeout (${elapsed} ms in all)"; else fail "cancel latency" "${elapsed} ms"; fi

# pg_cancel_backend while waiting; the wait is visible as an Extension wait
emu fault DescribeDBSnapshots hang --count 1
psql -XAtq -c "SET application_name = 'hanging'" -c "SELECT count(*) FROM rds_backup.rds_snapshots()" \
	>"$RB_TMP/hang.out" 2>&1 &
bg=$!
wt=$(wait_for "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = 'hanging' AND state = 'active'" "Extension" 10)
is "$wt" "Extension" "pg_stat_activity shows wait_event_type Extension while waiting on AWS"
t0=$(now_ms)
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'hanging'" >/dev/null
wait $bg
t1=$(now_ms)
like "$(cat "$RB_TMP/hang.out")" "canceling statement due to user request" "pg_cancel_backend cancels the request"
elapsed=$((t1 - t0))
if [ "$elapsed" -lt 1000 ]; then pass "cancel took ${elapsed} ms"; else fail "cancel latency" "${elapsed} ms"; fi

# ten timeouts in one session leave no file descriptor or memory behind
cat >"$RB_TMP/leak.sql" <<'SQL'
SELECT count(*) FROM rds_backup.rds_snapshots();
SELECT pg_backend_pid() \g RBTMP/pid
\! ls /proc/$(cat RBTMP/pid)/fd | wc -l > RBTMP/fd_before
SET statement_timeout = '300ms';
SQL
for i in $(seq 1 10); do
	echo "\\! /usr/bin/python3 $RB_REPO/test/emulator/emuctl.py fault DescribeDBSnapshots hang --count 1 >/dev/null" >>"$RB_TMP/leak.sql"
	echo "SELECT count(*) FROM rds_backup.rds_snapshots();" >>"$RB_TMP/leak.sql"
done
cat >>"$RB_TMP/leak.sql" <<'SQL'
RESET statement_timeout;
SELECT count(*) FROM rds_backup.rds_snapshots();
\! ls /proc/$(cat RBTMP/pid)/fd | wc -l > RBTMP/fd_after
SQL
sed -i "s|RBTMP|$RB_TMP|g" "$RB_TMP/leak.sql"
psql -XAtq -f "$RB_TMP/leak.sql" >"$RB_TMP/leak.out" 2>&1
is "$(grep -c 'canceling statement due to statement timeout' "$RB_TMP/leak.out")" "10" "ten requests cancelled in one session"
is "$(cat "$RB_TMP/fd_after")" "$(cat "$RB_TMP/fd_before")" "no file descriptor leaked by cancelled requests"

# a create whose reply never comes: cancelled, and the operation stays
# pending (AWS may have acted) until the worker settles it
emu fault CreateDBSnapshot hang --count 1
out=$(psql -XAtq -c "SET statement_timeout = '1s'" -c "SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'hung-create')" 2>&1)
like "$out" "statement timeout" "a hanging create is cancelled"
st=$(q "SELECT status FROM rds_backup.operations WHERE resource = 'hung-create'")
like "$st" "^(pending|in_progress)$" "its operation is kept, not failed ($st)"
st=$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = 'hung-create'" succeeded 30)
is "$st" "succeeded" "the worker finds the snapshot AWS made and completes the operation"

# a reply over the 16 MB cap is refused, not buffered
emu fault DescribeDBSnapshots oversized --size 17000000 --count 2
like "$(qerr "SELECT count(*) FROM rds_backup.rds_snapshots()")" \
	"^RB002 RDS DescribeDBSnapshots returned a reply larger than 16777216 bytes" "an oversized reply is refused"
like "$(psql -XAtq -c "SELECT count(*) FROM rds_backup.rds_snapshots()" 2>&1)" "reply larger than 16777216 bytes" \
	"and the error says why"

# a static credential with a space: refused at use, without quoting it
out=$(psql -XAtq -c "SET rds_backup.secret_access_key = 'two words'" -c "SELECT rds_backup.rds_snapshots()" 2>&1)
like "$out" "secret access key from static contains a space" "a malformed static secret is refused when used"
if [[ "$out" == *"two words"* ]]; then fail "the malformed secret is not quoted" "it is"; else pass "the malformed secret is not quoted"; fi

# connections are reused across calls in one backend: after three calls the
# backend holds exactly one connection to the emulator
cat >"$RB_TMP/reuse.sql" <<SQL
SELECT count(*) FROM rds_backup.rds_snapshots();
SELECT count(*) FROM rds_backup.rds_snapshots();
SELECT count(*) FROM rds_backup.rds_snapshots();
SELECT pg_backend_pid() \\g $RB_TMP/pid
\\! ss -tnpH state established "( dport = :$RB_EMU_PORT )" | grep -c "pid=\$(cat $RB_TMP/pid)," > $RB_TMP/conns
SQL
psql -XAtq -f "$RB_TMP/reuse.sql" >/dev/null 2>&1
is "$(cat "$RB_TMP/conns")" "1" "three calls in one session share one kept-alive connection"

done_testing
