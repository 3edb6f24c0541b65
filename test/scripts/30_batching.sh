#!/usr/bin/env bash
# The worker batches: 1,000 pending snapshots cost about 10 Describe calls a
# round, not 1,000; with nothing pending it makes no AWS call at all.
. "$(dirname "$0")/assert.sh"

status() { q "SELECT rounds || ' ' || aws_calls FROM rds_backup.tracker_status()"; }
describes() {
	rb_emuctl counts | /usr/bin/python3 -c 'import json,sys
print(json.load(sys.stdin).get("DescribeDBSnapshots", {}).get("requests", 0))'
}

emu reset
emu config durations.snapshot=12 snapshot_quota=5000
emu seed-instance bulk-db
emu seed-snapshot bk --instance bulk-db --count 1000 --status creating

# start from a quiet worker: nothing pending, so no calls in flight
wait_for "SELECT count(*) FROM rds_backup.operations WHERE finished_at IS NULL" 0 30 >/dev/null
read -r r0 c0 <<<"$(status)"
d0=$(describes)
q "INSERT INTO rds_backup.operations (kind, region, resource, source, requested_by, status, aws_status, request_id)
   SELECT 'snapshot', 'us-east-1', 'bk-' || i, 'bulk-db', 'x', 'in_progress', 'creating', 'seeded'
     FROM generate_series(1, 1000) i" >/dev/null
t0=$(now_ms)
q "SELECT rds_backup.rds_snapshot('bulk-db', 'bk-extra')" >/dev/null	# wakes the worker
is "$(wait_for "SELECT last_pending || ' ' || last_round_calls FROM rds_backup.tracker_status()" "1001 11" 20)" "1001 11" \
	"one round over 1,001 pending snapshots makes 11 Describe calls (100 identifiers each)"

done_at=$(wait_for "SELECT count(*) FROM rds_backup.operations WHERE resource LIKE 'bk-%' AND status = 'succeeded'" 1001 60)
t1=$(now_ms)
is "$done_at" "1001" "all 1,001 operations reach succeeded ($((t1 - t0)) ms)"
is "$(q "SELECT count(*) FROM rds_backup.operations WHERE resource LIKE 'bk-%' AND progress = 100")" "1001" "with progress 100"
wait_for "SELECT count(*) FROM rds_backup.operations WHERE finished_at IS NULL" 0 30 >/dev/null
read -r r1 c1 <<<"$(status)"
d1=$(describes)
rounds=$((r1 - r0))
calls=$((c1 - c0))
is "$((d1 - d0))" "$calls" "the emulator saw exactly the worker's $calls Describe calls"
if [ "$rounds" -ge 1 ] && [ $((calls)) -le $((rounds * 11)) ]; then
	pass "tracking to the end took $calls calls in $rounds rounds (at most 11 a round)"
else
	fail "calls per round" "$calls calls in $rounds rounds"
fi

# nothing pending: the worker sleeps without calling AWS
read -r r2 c2 <<<"$(status)"
sleep 3
read -r r3 c3 <<<"$(status)"
is "$((c3 - c2))" "0" "no AWS call while nothing is pending"

# the summary view
is "$(q "SELECT operations FROM rds_backup.operation_summary WHERE kind = 'snapshot' AND status = 'succeeded'" | head -n 1 | awk '{print ($1 >= 1001)}')" "1" \
	"operation_summary counts them"
like "$(q "SELECT p50_duration IS NOT NULL AND p95_duration >= p50_duration FROM rds_backup.operation_summary WHERE kind = 'snapshot' AND status = 'succeeded'")" "^t$" \
	"operation_summary has p50 and p95 durations"

done_testing
