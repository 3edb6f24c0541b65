#!/usr/bin/env bash
# The tracker worker: every operation followed to its end, through
# rollbacks, killed sessions, killed workers and server restarts.
. "$(dirname "$0")/assert.sh"

bindir=$(rb_bindir)
pgctl() { rb_as_user "$bindir/pg_ctl" -D "$PGDATA" "$@" >/dev/null 2>&1; }
restart_env() {
	rb_as_user env -i PATH="$PATH" HOME="$RB_TMP" LANG=C AWS_EC2_METADATA_DISABLED=true \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_ENDPOINT_URL="$RB_EMU_URL" \
		"$bindir/pg_ctl" -D "$PGDATA" -l "$PGDATA.log" -w -t 60 start >/dev/null
}
tracker_pid() { q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'rds_backup tracker'"; }

emu reset
emu config durations.snapshot=3
emu seed-instance orders-prod

# the worker is visible and named
is "$(q "SELECT application_name FROM pg_stat_activity WHERE backend_type = 'rds_backup tracker'")" \
	"rds_backup tracker" "the worker shows in pg_stat_activity with its own backend_type and application_name"
is "$(q "SELECT running FROM rds_backup.tracker_status()")" "t" "tracker_status() says it runs"

# rollback: AWS cannot roll back, so the record does not either
q "BEGIN; SELECT rds_backup.rds_snapshot('orders-prod', 'rolled-back'); ROLLBACK;" >/dev/null
is "$(q "SELECT count(*) FROM rds_backup.operations WHERE resource = 'rolled-back'")" "1" \
	"an operation started in a rolled-back transaction stays recorded"
is "$(q "SELECT count(*) FROM rds_backup.audit_log WHERE target = 'rolled-back' AND action = 'CreateDBSnapshot'")" "1" \
	"and so does its audit row"
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = 'rolled-back'" succeeded 20)" \
	"succeeded" "the worker tracks it to succeeded"

# NOTIFY on every change, with the payload of API.md
cat >"$RB_TMP/listen.sql" <<'SQL'
LISTEN rds_backup;
SELECT pg_sleep(0.3);
SQL
for i in $(seq 1 25); do echo "SELECT pg_sleep(0.3);" >>"$RB_TMP/listen.sql"; done
psql -XAtq -f "$RB_TMP/listen.sql" >"$RB_TMP/listen.out" 2>&1 &
lpid=$!
sleep 0.5
q "SELECT rds_backup.rds_snapshot('orders-prod', 'notified')" >/dev/null
wait $lpid
payloads=$(grep -o 'payload "[^"]*\(\\"[^"]*\)*' "$RB_TMP/listen.out" | grep notified || true)
notes=$(sed -nE 's/.*with payload "(.*)" received from server process.*/\1/p' "$RB_TMP/listen.out" | grep '"notified"')
like "$notes" '"kind" ?: ?"snapshot"' "NOTIFY payload names the kind"
like "$notes" '"status" ?: ?"pending"' "NOTIFY on pending"
like "$notes" '"status" ?: ?"in_progress"' "NOTIFY on in_progress"
like "$notes" '"status" ?: ?"succeeded"' "NOTIFY on succeeded"
first=$(echo "$notes" | head -n 1)
ok /usr/bin/python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert set(d)=={'id','kind','resource','status','aws_status','progress'}, d" "$first" \
	"NOTIFY payload is JSON with id, kind, resource, status, aws_status, progress"

# rds_wait: success, failure, timeout, cancel
id=$(q "SELECT id FROM rds_backup.rds_snapshot('orders-prod', 'waited')")
is "$(q "SELECT status FROM rds_backup.rds_wait($id, '30 s')")" "succeeded" "rds_wait returns the succeeded row"
emu fail-next snapshot
id=$(q "SELECT id FROM rds_backup.rds_snapshot('orders-prod', 'waited-fails')")
like "$(qerr "SELECT rds_backup.rds_wait($id, '30 s')")" "^38000 operation $id \(snapshot of \"waited-fails\"\) failed" \
	"rds_wait raises when the operation fails"
emu config durations.snapshot=120
id=$(q "SELECT id FROM rds_backup.rds_snapshot('orders-prod', 'waited-long')")
t0=$(now_ms)
like "$(qerr "SELECT rds_backup.rds_wait($id, '1 s')")" "^03000 operation $id .* is still in_progress" \
	"rds_wait gives up after its timeout"
t1=$(now_ms)
if [ $((t1 - t0)) -lt 2500 ]; then pass "rds_wait timeout honoured ($((t1 - t0)) ms)"; else fail "rds_wait timeout" "$((t1 - t0)) ms"; fi
is "$(q "SELECT status FROM rds_backup.operations WHERE id = $id")" "in_progress" "the operation is still tracked"
psql -XAtq -c "SET application_name = 'waiter'" -c "SELECT rds_backup.rds_wait($id, '1 min')" >"$RB_TMP/wait.out" 2>&1 &
wpid=$!
wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'waiter' AND state = 'active'" 1 10 >/dev/null
t0=$(now_ms)
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'waiter'" >/dev/null
wait $wpid
t1=$(now_ms)
like "$(cat "$RB_TMP/wait.out")" "canceling statement due to user request" "rds_wait is cancellable"
if [ $((t1 - t0)) -lt 1000 ]; then pass "rds_wait cancelled in $((t1 - t0)) ms"; else fail "rds_wait cancel" "$((t1 - t0)) ms"; fi
is "$(q "SELECT status || ' ' || (error LIKE 'tracking canceled by %') FROM rds_backup.rds_cancel($id)")" "canceled true" \
	"rds_cancel marks the operation canceled"
like "$(qerr "SELECT rds_backup.rds_cancel($id)")" "^55000 operation $id has already finished" "a finished operation cannot be canceled"
emu config durations.snapshot=3

# a caller's timeout bounds its wait, never the tracking
emu config durations.snapshot=120
q "SELECT rds_backup.rds_snapshot('orders-prod', 'outlives-timeout', timeout => '2 s')" >/dev/null
like "$(qerr "SELECT rds_backup.rds_snapshot('orders-prod', 'outlives-wait', wait => true, timeout => '1 s')")" \
	"^03000 operation [0-9]+ \(snapshot of \"outlives-wait\"\) is still in_progress" "a wait that times out raises 03000"
sleep 4
is "$(q "SELECT string_agg(status, ' ' ORDER BY resource) FROM rds_backup.operations WHERE resource IN ('outlives-timeout', 'outlives-wait')")" \
	"in_progress in_progress" "past their callers' timeouts, both operations are still tracked"
emu status snapshot outlives-timeout available
emu status snapshot outlives-wait available
is "$(wait_for "SELECT string_agg(status, ' ' ORDER BY resource) FROM rds_backup.operations WHERE resource IN ('outlives-timeout', 'outlives-wait')" \
	"succeeded succeeded" 15)" "succeeded succeeded" "and end when AWS finishes them"

# tracking ends as timed_out only after rds_backup.tracking_limit
q "ALTER SYSTEM SET rds_backup.tracking_limit = '6s'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
q "SELECT rds_backup.rds_snapshot('orders-prod', 'beyond-limit')" >/dev/null
sleep 2
is "$(q "SELECT status FROM rds_backup.operations WHERE resource = 'beyond-limit'")" "in_progress" \
	"before rds_backup.tracking_limit the operation is tracked"
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = 'beyond-limit'" timed_out 20)" \
	"timed_out" "after rds_backup.tracking_limit it ends timed_out"
like "$(q "SELECT error FROM rds_backup.operations WHERE resource = 'beyond-limit'")" "tracking_limit \(6s\)" \
	"and says which limit ended it"
q "ALTER SYSTEM RESET rds_backup.tracking_limit" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
emu config durations.snapshot=3

# a snapshot AWS no longer knows (deleted outside rds_backup): failed,
# with a clear error, not pending forever; but only after
# rds_backup.visibility_grace, since RDS is eventually consistent
q "ALTER SYSTEM SET rds_backup.visibility_grace = '5s'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
q "INSERT INTO rds_backup.operations (kind, region, resource, source, requested_by, status, aws_status, request_id)
   VALUES ('snapshot', 'us-east-1', 'vanished', 'orders-prod', 'x', 'in_progress', 'creating', 'r-1')" >/dev/null
q "SELECT rds_backup.rds_snapshot('orders-prod', 'wake-the-worker')" >/dev/null
sleep 2
is "$(q "SELECT status FROM rds_backup.operations WHERE resource = 'vanished'")" "in_progress" \
	"an operation whose snapshot Describe does not show is kept within the grace"
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = 'vanished'" failed 15)" "failed" \
	"an operation whose snapshot AWS no longer knows ends failed after it"
like "$(q "SELECT error FROM rds_backup.operations WHERE resource = 'vanished'")" "no longer knows" "with a clear error"
q "ALTER SYSTEM RESET rds_backup.visibility_grace" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null

# kill -9 of the session right after the call: the row is kept and settled
emu fault CreateDBSnapshot delay --delay 3 --count 1
psql -XAtq -c "SET application_name = 'doomed-session'" -c "SELECT rds_backup.rds_snapshot('orders-prod', 'session-killed')" \
	>/dev/null 2>&1 &
wait_for "SELECT count(*) FROM rds_backup.operations WHERE resource = 'session-killed'" 1 10 >/dev/null
kill -9 "$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'doomed-session'")"
wait 2>/dev/null
sleep 1
wait_for "SELECT 1" 1 30 >/dev/null	# the postmaster restarts after a backend crash
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = 'session-killed'" succeeded 40)" \
	"succeeded" "an operation whose session was killed after the call is found and completed"
is "$(q "SELECT count(*) FROM rds_backup.operations WHERE resource = 'session-killed'")" "1" "and not duplicated"

# kill -9 of the worker with operations pending
emu config durations.snapshot=6
for i in 1 2 3; do q "SELECT rds_backup.rds_snapshot('orders-prod', 'crash-w-$i')" >/dev/null; done
kill -9 "$(tracker_pid)"
sleep 1
wait_for "SELECT 1" 1 30 >/dev/null
is "$(wait_for "SELECT count(*) FROM rds_backup.operations WHERE resource LIKE 'crash-w-%' AND status = 'succeeded'" 3 60)" \
	"3" "after kill -9 of the worker, tracking resumes and completes"
is "$(q "SELECT count(*) FROM rds_backup.operations WHERE resource LIKE 'crash-w-%'")" "3" "no operation lost or duplicated"

# immediate shutdown and restart with operations pending
for i in 1 2 3; do q "SELECT rds_backup.rds_snapshot('orders-prod', 'restart-$i')" >/dev/null; done
pgctl -m immediate stop
restart_env
is "$(wait_for "SELECT count(*) FROM rds_backup.operations WHERE resource LIKE 'restart-%' AND status = 'succeeded'" 3 60)" \
	"3" "after an immediate shutdown and restart, pending operations are re-checked and completed"
children=$(q "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity")
kill -9 "$(head -n 1 "$PGDATA/postmaster.pid")"
for i in $(seq 1 100); do
	alive=0
	for p in $children; do kill -0 "$p" 2>/dev/null && alive=1; done
	[ $alive -eq 0 ] && break
	sleep 0.1
done
restart_env
is "$(q "SELECT count(*) FROM rds_backup.operations WHERE resource LIKE 'restart-%'")" "3" "kill -9 of the postmaster loses nothing"

# SIGHUP reloads settings and sweeps history older than the retention
q "INSERT INTO rds_backup.operations (kind, region, resource, requested_by, status, requested_at, updated_at, finished_at)
   SELECT 'snapshot', 'us-east-1', 'ancient-' || i, 'x', 'succeeded', now() - interval '400 days',
          now() - interval '400 days', now() - interval '400 days' FROM generate_series(1, 2500) i" >/dev/null
q "INSERT INTO rds_backup.audit_log (called_at, role_name, action, region)
   SELECT now() - interval '400 days', 'x', 'DescribeDBSnapshots', 'us-east-1' FROM generate_series(1, 2500)" >/dev/null
recent=$(q "SELECT count(*) FROM rds_backup.operations WHERE finished_at > now() - interval '1 day'")
q "ALTER SYSTEM SET rds_backup.history_retention = '30d'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
is "$(wait_for "SELECT count(*) FROM rds_backup.operations WHERE resource LIKE 'ancient-%'" 0 30)" "0" \
	"the worker deletes finished operations older than history_retention (2,500 rows, batches of 1,000)"
is "$(wait_for "SELECT count(*) FROM rds_backup.audit_log WHERE called_at < now() - interval '300 days'" 0 30)" "0" \
	"and old audit rows"
is "$(q "SELECT count(*) FROM rds_backup.operations WHERE finished_at > now() - interval '1 day'")" "$recent" "recent history is kept"
q "ALTER SYSTEM RESET rds_backup.history_retention" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null

# SIGTERM: the worker exits promptly and is started again
old=$(tracker_pid)
t0=$(now_ms)
q "SELECT pg_terminate_backend($old)" >/dev/null
gone=$(wait_for "SELECT count(*) FROM pg_stat_activity WHERE pid = $old" 0 5)
t1=$(now_ms)
is "$gone" "0" "SIGTERM stops the worker ($((t1 - t0)) ms)"
new=$(wait_for "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'rds_backup tracker'" 1 20)
is "$new" "1" "the worker is restarted"

# a server whose tracked database has no extension yet: the worker waits
# quietly (no crash loop), and starts tracking once the extension exists
port2=$(rb_free_port)
rb_cluster "$RB_TMP/noext" "$port2" "shared_preload_libraries = 'rds_backup'
rds_backup.endpoint = '$RB_EMU_URL'
rds_backup.region = 'us-east-1'
rds_backup.access_key_id = '$RB_KEY_ID'
rds_backup.secret_access_key = '$RB_SECRET'
rds_backup.poll_interval = '300ms'"
q2() { PGPORT=$port2 q "$1"; }
PGPORT=$port2 wait_for "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'rds_backup tracker'" 1 10 >/dev/null
pid1=$(q2 "SELECT pid FROM pg_stat_activity WHERE backend_type = 'rds_backup tracker'")
sleep 3
is "$(q2 "SELECT pid FROM pg_stat_activity WHERE backend_type = 'rds_backup tracker'")" "$pid1" \
	"without the extension the worker keeps running (no crash loop)"
is "$(grep -c 'waits for CREATE EXTENSION rds_backup' "$RB_TMP/noext.log")" "1" "and says once what it waits for"
emu seed-snapshot late-start --instance orders-prod
q2 "CREATE EXTENSION rds_backup" >/dev/null
q2 "INSERT INTO rds_backup.operations (kind, region, resource, source, requested_by, status, request_id)
    VALUES ('snapshot', 'us-east-1', 'late-start', 'orders-prod', 'x', 'in_progress', 'r')" >/dev/null
is "$(PGPORT=$port2 wait_for "SELECT status FROM rds_backup.operations WHERE resource = 'late-start'" succeeded 20)" "succeeded" \
	"once the extension exists, the worker tracks its operations"
rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/noext" -m fast stop >/dev/null

done_testing
