#!/usr/bin/env bash
# The catalog writer: one long-lived process commits what sessions queue.
# A session waits for it only when it must, a cancel or terminate ends the
# wait at once without losing or duplicating anything, a clean shutdown
# commits what is queued, a bad record fails alone, and a standby refuses
# calls with a clear ERROR.
. "$(dirname "$0")/assert.sh"

bindir=$(rb_bindir)
writer_pid() { q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'rds_backup catalog writer'"; }
creates() {
	rb_emuctl log --action CreateDBSnapshot --json | /usr/bin/python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin) if e["params"].get("DBSnapshotIdentifier") == sys.argv[1]))' "$1"
}
# hold_lock TABLE SECONDS: a session that holds an exclusive lock on TABLE
hold_lock() {
	psql -XAtq -c "SET application_name = 'lock-holder'" \
		-c "BEGIN; LOCK TABLE rds_backup.$1 IN EXCLUSIVE MODE; SELECT pg_sleep($2); COMMIT;" >/dev/null 2>&1 &
	LOCK_PID=$!
	wait_for "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
	          WHERE c.relname = '$1' AND l.mode = 'ExclusiveLock' AND l.granted" 1 10 >/dev/null
}
release_lock() {
	q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock-holder'" >/dev/null
	wait "$LOCK_PID" 2>/dev/null
}
# start_call NAME SQL: run SQL in a background session named NAME
start_call() {
	psql -XAtq -v VERBOSITY=verbose -c "SET application_name = '$1'" -c "$2" >"$RB_TMP/$1.out" 2>&1 &
	CALL_PID=$!
	wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1' AND state = 'active'" 1 10 >/dev/null
	sleep 0.5
}
# signal_call NAME FUNCTION: pg_cancel_backend or pg_terminate_backend; ms until it ended
signal_call() {
	local t0 t1
	t0=$(now_ms)
	q "SELECT $2(pid) FROM pg_stat_activity WHERE application_name = '$1'" >/dev/null
	wait "$CALL_PID" 2>/dev/null
	t1=$(now_ms)
	echo $((t1 - t0))
}

emu reset
emu config durations.snapshot=2
emu seed-instance orders-prod

is "$(q "SELECT running FROM rds_backup.writer_status()")" "t" "writer_status() says the writer runs"
is "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'rds_backup catalog writer'")" "1" \
	"one catalog writer, started with the server"

# a read call does not wait for its audit row's commit
mark=$(q "SELECT rds_backup.catalog_flush(); SELECT coalesce(max(id), 0) FROM rds_backup.audit_log" | tail -n 1)
hold_lock audit_log 30
t0=$(now_ms)
is "$(q "SELECT count(*) FROM rds_backup.rds_snapshots('orders-prod')")" "0" "a read call returns while audit_log is locked"
t1=$(now_ms)
if [ $((t1 - t0)) -lt 1000 ]; then pass "without waiting for the catalog ($((t1 - t0)) ms)"; else fail "read call waited" "$((t1 - t0)) ms"; fi
is "$(q "SELECT queued_bytes > 0 FROM rds_backup.writer_status()")" "t" "its audit row waits in the queue"
release_lock
is "$(wait_for "SELECT queued_bytes FROM rds_backup.writer_status()" 0 10)" "0" "and is committed once the lock is gone"
is "$(q "SELECT count(*) FROM rds_backup.audit_log WHERE id > $mark AND action = 'DescribeDBSnapshots' AND target = 'orders-prod'")" "1" \
	"the read call's audit row is there"

# a cancel while the session waits for its intent to be committed: the
# session ends at once, nothing is sent to AWS, and the row says so
for how in pg_cancel_backend pg_terminate_backend; do
	name="intent-$how"
	name=${name//_/-}
	hold_lock operations 30
	start_call "$name" "SELECT rds_backup.rds_snapshot('orders-prod', '$name')"
	ms=$(signal_call "$name" "$how")
	if [ "$ms" -lt 1000 ]; then pass "$how while waiting for the intent's commit ends the session's call in $ms ms"; else fail "$how while waiting for the catalog" "$ms ms"; fi
	release_lock
	is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = '$name'" failed 10)" "failed" \
		"the intent is committed, then marked failed ($how)"
	like "$(q "SELECT error FROM rds_backup.operations WHERE resource = '$name'")" "canceled before its request was sent" \
		"with the reason ($how)"
	is "$(creates "$name")" "0" "and nothing was sent to AWS ($how)"
done

# a cancel while the session waits for its outcome to be committed: the
# call was made; the outcome is committed all the same and tracked to its end
for how in pg_cancel_backend pg_terminate_backend; do
	name="outcome-$how"
	name=${name//_/-}
	emu fault CreateDBSnapshot delay --delay 2 --count 1
	start_call "$name" "SELECT rds_backup.rds_snapshot('orders-prod', '$name')"
	hold_lock operations 30	# while the request is at AWS
	wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$name' AND wait_event_type = 'Extension'
	          AND query LIKE '%rds_snapshot%'" 1 10 >/dev/null
	sleep 2.5	# the reply is in; the outcome waits for the lock
	ms=$(signal_call "$name" "$how")
	if [ "$ms" -lt 1000 ]; then pass "$how while waiting for the outcome's commit ends the session's call in $ms ms"; else fail "$how while waiting for the outcome" "$ms ms"; fi
	release_lock
	is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = '$name'" succeeded 20)" "succeeded" \
		"the operation is committed and tracked to succeeded ($how)"
	is "$(q "SELECT count(*) FROM rds_backup.operations WHERE resource = '$name'")" "1" "once ($how)"
	is "$(creates "$name")" "1" "and sent to AWS once ($how)"
done

# the writer restarts after a crash of its own; what was queued meanwhile
# is committed by the new one
old=$(writer_pid)
hold_lock operations 30
q "SELECT pg_terminate_backend($old)" >/dev/null
release_lock
new=$(wait_for "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'rds_backup catalog writer' AND pid <> $old" 1 20)
is "$new" "1" "a terminated writer is started again"
is "$(q "SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'after-writer-restart', wait => true)")" "succeeded" \
	"and records the next operation"

# one bad record in a batch fails alone: the writer applies that batch
# again one record per transaction; the bad record's session gets the
# ERROR, the others are committed (and their calls made) once
q "CREATE FUNCTION public.poison_guard() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN IF NEW.resource = 'poison-snap' THEN RAISE EXCEPTION 'poisoned record'; END IF; RETURN NEW; END \$\$;
   CREATE TRIGGER poison_guard BEFORE INSERT ON rds_backup.operations
   FOR EACH ROW EXECUTE FUNCTION public.poison_guard()" >/dev/null
failed_before=$(q "SELECT failed FROM rds_backup.writer_status()")
log_lines=$(wc -l <"$PGDATA.log")
hold_lock operations 60
# the writer waits for the lock with this one's record; the next three queue up behind it
pids=()
for n in batch-first batch-a poison-snap batch-b; do
	start_call "$n" "SELECT status FROM rds_backup.rds_snapshot('orders-prod', '$n')"
	pids+=("$CALL_PID")
done
release_lock
wait "${pids[@]}" 2>/dev/null
like "$(cat "$RB_TMP/poison-snap.out")" "poisoned record" "the session of the bad record gets its ERROR"
for n in batch-first batch-a batch-b; do
	is "$(cat "$RB_TMP/$n.out")" "in_progress" "$n, queued with it, is recorded and started"
	is "$(q "SELECT count(*) FROM rds_backup.operations WHERE resource = '$n'")" "1" "$n is recorded once"
	is "$(creates "$n")" "1" "$n is sent to AWS once"
done
is "$(q "SELECT count(*) FROM rds_backup.operations WHERE resource = 'poison-snap'")" "0" "the bad record is not committed"
is "$(creates poison-snap)" "0" "and its call was never made"
is "$(q "SELECT failed - $failed_before FROM rds_backup.writer_status()")" "1" "writer_status() counts one failed record"
like "$(tail -n +"$log_lines" "$PGDATA.log")" "catalog writer applies a batch of ([2-9]|[1-9][0-9]+) records one by one: poisoned record" \
	"the batch that held it was applied again one record at a time"
q "DROP TRIGGER poison_guard ON rds_backup.operations; DROP FUNCTION public.poison_guard()" >/dev/null

# a clean shutdown commits the audit rows still queued
mark=$(q "SELECT rds_backup.catalog_flush(); SELECT coalesce(max(id), 0) FROM rds_backup.audit_log" | tail -n 1)
hold_lock audit_log 60
for i in 1 2 3 4 5; do q "SELECT count(*) FROM rds_backup.rds_snapshots('orders-prod', 'manual')" >/dev/null; done
is "$(q "SELECT queued_bytes > 0 FROM rds_backup.writer_status()")" "t" "five read calls' audit rows are queued"
rb_as_user "$bindir/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null
wait "$LOCK_PID" 2>/dev/null
rb_as_user env -i PATH="$PATH" HOME="$RB_TMP" LANG=C AWS_EC2_METADATA_DISABLED=true \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_ENDPOINT_URL="$RB_EMU_URL" \
	"$bindir/pg_ctl" -D "$PGDATA" -l "$PGDATA.log" -w -t 60 start >/dev/null
is "$(q "SELECT count(*) FROM rds_backup.audit_log WHERE id > $mark AND action = 'DescribeDBSnapshots' AND params->>'SnapshotType' = 'manual'")" "5" \
	"after a fast shutdown and restart, all five are in audit_log"

# a hot standby refuses calls, saying why
standby=$RB_TMP/standby
port2=$(rb_free_port)
rb_as_user "$bindir/pg_basebackup" -D "$standby" -R -X stream >/dev/null 2>&1
cat >>"$standby/postgresql.conf" <<EOF
port = $port2
hot_standby = on
EOF
rb_as_user "$bindir/pg_ctl" -D "$standby" -l "$standby.log" -w -t 60 start >/dev/null
is "$(PGPORT=$port2 q "SELECT pg_is_in_recovery()")" "t" "a hot standby of the server runs"
like "$(PGPORT=$port2 qerr "SELECT rds_backup.rds_snapshots('orders-prod')")" \
	"^25006 rds_backup cannot make AWS calls on a standby server" "on it, a call fails with an ERROR that says it is a standby"
like "$(PGPORT=$port2 psql -XAtq -c "SELECT rds_backup.rds_snapshot('orders-prod')" 2>&1)" "HINT:  Call it on the primary server." \
	"with a HINT"
is "$(PGPORT=$port2 q "SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'rds_backup%'")" "0" \
	"no rds_backup worker runs on the standby"
rb_as_user "$bindir/pg_ctl" -D "$standby" -m fast stop >/dev/null

done_testing
