#!/usr/bin/env bash
# Many sessions at once, with PostgreSQL's default max_worker_processes: a
# pg_cron midnight or a fleet of deploy hooks.  Every call succeeds, every
# snapshot is recorded once and requested from AWS once, and the catalog is
# written by one long-lived writer in shared transactions.
. "$(dirname "$0")/assert.sh"

SESSIONS=${RB_LOAD_SESSIONS:-90}	# of max_connections = 100
SHARED=8						# of them snapshot one instance at the same second
LISTINGS=10
SNAPSHOTS=3

is "$(q "SHOW max_worker_processes")" "8" "the server runs with the default max_worker_processes"

emu reset
emu config snapshot_quota=5000 durations.snapshot=2
instances=$(/usr/bin/python3 -c "import json; print(json.dumps([{'id': 'load-%d' % i} for i in range(1, $SESSIONS + 1)] + [{'id': 'load-shared'}]))")
rb_emuctl call POST seed/instance "$instances" >/dev/null

ops0=$(q "SELECT count(*) FROM rds_backup.operations")
read -r rec0 bat0 <<<"$(q "SELECT records || ' ' || batches FROM rds_backup.writer_status()")"
workers0=$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'rds_backup%'")

# every session starts at the same moment, then lists and snapshots
start=$(($(date +%s) + 3))
for i in $(seq 1 "$SESSIONS"); do
	db="load-$i"
	[ "$i" -le "$SHARED" ] && db="load-shared"
	{
		echo "SELECT pg_sleep_until(to_timestamp($start));"
		for j in $(seq 1 "$LISTINGS"); do
			echo "SELECT count(*) FROM rds_backup.rds_snapshots('$db');"
			[ "$j" -le "$SNAPSHOTS" ] && echo "SELECT status FROM rds_backup.rds_snapshot('$db', tags => '{\"run\": \"load\"}');"
		done
	} >"$RB_TMP/load-$i.sql"
done
t0=$(now_ms)
pids=()
for i in $(seq 1 "$SESSIONS"); do
	psql -XAtq -v ON_ERROR_STOP=1 -f "$RB_TMP/load-$i.sql" >"$RB_TMP/load-$i.out" 2>&1 &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
t1=$(now_ms)
calls=$((SESSIONS * (LISTINGS + SNAPSHOTS)))
elapsed=$((t1 - t0 - 3000))
is "$failed" "0" "$SESSIONS sessions at once: every session ran to its end ($calls calls in about ${elapsed} ms after the common start)"
errors=$(cat "$RB_TMP"/load-*.out | grep -c 'ERROR' || true)
is "$errors" "0" "no call raised an ERROR"
if [ "$errors" != "0" ]; then cat "$RB_TMP"/load-*.out | grep 'ERROR' | sort | uniq -c | head -n 5; fi

want=$((SESSIONS * SNAPSHOTS))
is "$(q "SELECT count(*) - $ops0 FROM rds_backup.operations")" "$want" "every snapshot is recorded: $want operations"
is "$(q "SELECT count(*) FROM (SELECT resource FROM rds_backup.operations WHERE params->'Tags'->>'run' = 'load'
                               GROUP BY resource HAVING count(*) > 1) d")" "0" "each exactly once"
is "$(q "SELECT count(*) FROM rds_backup.operations WHERE params->'Tags'->>'run' = 'load' AND resource LIKE 'load-shared-%'")" \
	"$((SHARED * SNAPSHOTS))" "$SHARED sessions naming snapshots of one instance in the same second get distinct names"
sent=$(rb_emuctl log --action CreateDBSnapshot --json | /usr/bin/python3 -c '
import collections, json, sys
per = collections.Counter(e["params"].get("DBSnapshotIdentifier") for e in json.load(sys.stdin))
print(sum(per.values()), max(per.values()) if per else 0)')
is "$sent" "$want 1" "AWS received $want CreateDBSnapshot requests, one per snapshot"
is "$(rb_emuctl log --action CreateDBSnapshot --json | /usr/bin/python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin) if e.get("error_code")))')" "0" "none of them refused (no name taken twice)"

is "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'rds_backup%'")" "$workers0" \
	"no process was started per call: still $workers0 rds_backup workers"
q "SELECT rds_backup.catalog_flush()" >/dev/null
read -r rec1 bat1 <<<"$(q "SELECT records || ' ' || batches FROM rds_backup.writer_status()")"
records=$((rec1 - rec0))
batches=$((bat1 - bat0))
if [ "$batches" -gt 0 ] && [ "$records" -gt "$batches" ]; then
	pass "group commit: $records catalog records in $batches transactions"
else
	fail "group commit" "$records records in $batches transactions"
fi
is "$(q "SELECT count(*) FROM rds_backup.audit_log WHERE action = 'DescribeDBSnapshots' AND attempt = 1
          AND called_at >= to_timestamp($start) - interval '1 s' AND params->>'DBInstanceIdentifier' LIKE 'load-%'")" \
	"$((SESSIONS * LISTINGS))" "every read call has its audit row ($((SESSIONS * LISTINGS)), retried attempts apart)"
is "$(wait_for "SELECT count(*) FROM rds_backup.operations WHERE params->'Tags'->>'run' = 'load' AND status = 'succeeded'" "$want" 60)" \
	"$want" "the worker tracks all $want to succeeded"

done_testing
