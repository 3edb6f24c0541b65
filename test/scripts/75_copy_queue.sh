#!/usr/bin/env bash
# rds_copy_to_region() with more snapshots than AWS lets copy at once: two
# sessions run it at the same time, the server restarts while copies wait
# in the queue, and AWS never has more than 5 copies in flight to the
# destination region; every snapshot is copied exactly once.
. "$(dirname "$0")/assert.sh"

bindir=$(rb_bindir)
N=12

emu reset
emu config durations.copy=3
emu seed-instance orders-prod
emu seed-snapshot queue-test --instance orders-prod --count $N --tag rds-backup:created-by=ops
mark=$(q "SELECT rds_backup.catalog_flush(); SELECT coalesce(max(id), 0) FROM rds_backup.audit_log" | tail -n 1)
op_mark=$(q "SELECT coalesce(max(id), 0) FROM rds_backup.operations")

# AWS's view, sampled every 0.1 s: copies creating in eu-west-1
cat >"$RB_TMP/sampler.py" <<'PY'
import json, os, sys, time, urllib.request
port, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
peak = 0
samples = 0
while not os.path.exists(stop):
    with urllib.request.urlopen("http://127.0.0.1:%s/_emulator/state?region=eu-west-1" % port) as r:
        st = json.load(r)
    n = sum(1 for reg in st["regions"].values() for s in reg["snapshots"]
            if s["Status"] == "creating" and s.get("SourceRegion"))
    peak = max(peak, n)
    samples += 1
    time.sleep(0.1)
with open(out, "w") as f:
    f.write("%d %d\n" % (peak, samples))
PY
rm -f "$RB_TMP/sampler.stop"
$RB_PY "$RB_TMP/sampler.py" "$RB_EMU_PORT" "$RB_TMP/sampler.stop" "$RB_TMP/sampler.out" &
sampler=$!

t0=$(now_ms)
# two sessions at once: each queues what the other has not
for s in a b; do
	psql -XAtq -c "SELECT resource || ' ' || status || ' ' || coalesce(aws_status, '')
	                 FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1')" >"$RB_TMP/copy_$s.out" 2>&1 &
done
wait %2 %3 2>/dev/null
cat "$RB_TMP/copy_a.out" "$RB_TMP/copy_b.out" >"$RB_TMP/copy_ab.out"
is "$(wc -l <"$RB_TMP/copy_ab.out")" "$N" "two sessions at once queued $N copies between them"
is "$(cut -d' ' -f1 "$RB_TMP/copy_ab.out" | sort -u | wc -l)" "$N" "no snapshot was queued twice"
is "$(grep -c ' in_progress ' "$RB_TMP/copy_ab.out")" "5" "5 copies started at once"
is "$(grep -c ' pending queued' "$RB_TMP/copy_ab.out")" "$((N - 5))" "the other $((N - 5)) wait in the queue"

# a restart while copies wait: the queue is the catalog, it survives
rb_as_user "$bindir/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null
is "$(q "SELECT 1" 2>/dev/null | grep -c '^1$')" "0" "the server is down"
rb_as_user env -i PATH="$PATH" HOME="$RB_TMP" LANG=C AWS_EC2_METADATA_DISABLED=true \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_ENDPOINT_URL="$RB_EMU_URL" \
	"$bindir/pg_ctl" -D "$PGDATA" -l "$PGDATA.log" -w -t 60 start >/dev/null
is "$(q "SELECT count(*) FROM rds_backup.operations WHERE id > $op_mark AND aws_status = 'queued'")" \
	"$((N - 5))" "after the restart the queued copies are still queued"

# the worker starts them as copies end
is "$(wait_for "SELECT count(*) FILTER (WHERE status = 'succeeded') FROM rds_backup.operations WHERE id > $op_mark" "$N" 90)" \
	"$N" "the worker started the queued copies and all $N succeeded"
t1=$(now_ms)
touch "$RB_TMP/sampler.stop"
wait $sampler
read -r peak samples <"$RB_TMP/sampler.out"
is "$peak" "5" "AWS never had more than 5 copies in flight to eu-west-1 (peak $peak over $samples samples)"
is "$(q "SELECT rds_backup.catalog_flush(); SELECT count(*) FROM rds_backup.audit_log WHERE id > $mark AND action = 'CopyDBSnapshot' AND error_code IS NOT NULL" | tail -n 1)" \
	"0" "AWS refused no copy"
echo "# $N copies through 5 slots in $((t1 - t0)) ms (copy 3 s, a server restart included)"

# exactly once, as AWS saw it
counts=$(rb_emuctl counts --by-target --action CopyDBSnapshot)
ok $RB_PY -c "import json,sys; c=json.loads(sys.argv[1])['CopyDBSnapshot']; assert len(c)==$N and all(v['requests']==1 for v in c.values()), c" "$counts" \
	"AWS received exactly one CopyDBSnapshot per snapshot"
is "$(q "SELECT count(*) FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1')")" "0" \
	"a second run copies nothing"
is "$(q "SELECT count(*) FROM rds_backup.rds_snapshots('orders-prod', region => 'eu-west-1')")" "$N" \
	"the destination holds one copy of each"

# AWS's limit stays full (copies made elsewhere, or the snapshot quota: AWS
# says SnapshotQuotaExceeded for both): the refused copy waits in the queue
# and is tried again at doubling intervals, not at every round of the
# worker (poll_interval 500 ms here), which a snapshot whose progress moves
# keeps from slowing down
emu config durations.snapshot=60
is "$(q "SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'busy-snap')")" "in_progress" \
	"a long snapshot keeps the worker polling every round"
emu fault CopyDBSnapshot error --code SnapshotQuotaExceeded --status 400 \
	--message "Cannot start more than 5 concurrent cross-region snapshot copies." --count 1000
emu seed-snapshot quota-test --instance orders-prod --tag rds-backup:created-by=ops
calls_before=$(rb_emuctl counts --action CopyDBSnapshot | $RB_PY -c "import json,sys; print(json.load(sys.stdin).get('CopyDBSnapshot', {}).get('requests', 0))")
is "$(q "SELECT status || ' ' || aws_status FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1')")" \
	"pending queued" "a copy AWS refuses for its full limit goes back to the queue"
rounds_before=$(q "SELECT rounds FROM rds_backup.tracker_status()")
sleep 12
calls=$(( $(rb_emuctl counts --action CopyDBSnapshot | $RB_PY -c "import json,sys; print(json.load(sys.stdin).get('CopyDBSnapshot', {}).get('requests', 0))") - calls_before ))
rounds=$(( $(q "SELECT rounds FROM rds_backup.tracker_status()") - rounds_before ))
if [ "$calls" -ge 3 ] && [ "$calls" -le 9 ]; then
	pass "over 12 s ($rounds rounds of the worker) AWS was asked $calls times: tried again, at doubling intervals"
else
	fail "over 12 s AWS was asked 3 to 9 times" "$calls CopyDBSnapshot calls"
fi
like "$(q "SELECT error FROM rds_backup.operations WHERE resource LIKE 'quota-test%' AND region = 'eu-west-1'")" \
	"^back in the queue after AWS refused it: SnapshotQuotaExceeded" "the row says why it waits"
rb_emuctl faults-clear >/dev/null
emu status snapshot busy-snap available
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = 'busy-snap'" succeeded 20)" \
	"succeeded" "the long snapshot ends"
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource LIKE 'quota-test%' AND region = 'eu-west-1'" succeeded 40)" \
	"succeeded" "once AWS has room the worker starts it, and it is copied"

done_testing
