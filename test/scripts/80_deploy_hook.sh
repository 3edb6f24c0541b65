#!/usr/bin/env bash
# The deploy hook rds-backup-snapshot: installed by make install into
# PostgreSQL's bindir; every exit code; a set -e deploy script stops before
# migrating when there is no snapshot.
. "$(dirname "$0")/assert.sh"

hook="$(rb_bindir)/rds-backup-snapshot"
err=$RB_TMP/hook.err

emu reset
emu config durations.snapshot=2 durations.cluster_snapshot=2
emu seed-instance orders-prod
emu seed-cluster orders-aurora --members 1

ok test -x "$hook" "make install put rds-backup-snapshot into PostgreSQL's bindir"

# 0: the snapshot is available; its identifier alone on stdout, progress on stderr
out=$("$hook" --instance orders-prod --snapshot before-v42 --tag release=v42 \
	--tag 'note=say "hi" \ bye' 2>"$err")
rc=$?
is "$rc" "0" "exit 0 once the snapshot is available"
is "$out" "before-v42" "the snapshot identifier, alone, on stdout"
like "$(head -n 1 "$err")" "^rds-backup-snapshot: snapshot before-v42 of DB instance orders-prod requested \(rds_backup operation [0-9]+\)$" \
	"progress on stderr: requested, with the operation id"
like "$(tail -n 1 "$err")" "^rds-backup-snapshot: before-v42: available, 100%$" "progress on stderr: available"
like "$(cat "$err")" "creating, [0-9]+%" "progress on stderr while creating"
is "$(q "SELECT status || ' ' || requested_by FROM rds_backup.operations WHERE resource = 'before-v42' ORDER BY id DESC LIMIT 1")" \
	"succeeded $PGUSER" "it is an operation of rds_backup, requested by the connecting role"
is "$(q "SELECT (tags->>'release') || ' | ' || (tags->>'note') FROM rds_backup.rds_snapshots('orders-prod') WHERE snapshot = 'before-v42'")" \
	'v42 | say "hi" \ bye' "--tag KEY=VALUE tags the snapshot (quotes and backslashes intact)"

# an automatic name, an Aurora cluster
like "$("$hook" --instance orders-prod 2>/dev/null)" "^orders-prod-[0-9]{8}t[0-9]{6}$" \
	"without --snapshot the name is the instance's and the UTC time"
out=$("$hook" --cluster orders-aurora --snapshot aurora-before-v42 2>/dev/null)
rc=$?
is "$rc $out" "0 aurora-before-v42" "--cluster takes a cluster snapshot"
is "$(q "SELECT kind || ' ' || status FROM rds_backup.operations WHERE resource = 'aurora-before-v42' ORDER BY id DESC LIMIT 1")" \
	"cluster_snapshot succeeded" "through rds_cluster_snapshot()"

# --no-wait: the identifier as soon as the snapshot is requested
emu config durations.snapshot=30
t0=$(now_ms)
out=$("$hook" --instance orders-prod --snapshot no-wait-snap --no-wait 2>/dev/null)
rc=$?
t1=$(now_ms)
is "$rc $out" "0 no-wait-snap" "--no-wait exits 0 with the identifier"
if [ $((t1 - t0)) -lt 5000 ]; then pass "--no-wait returns at once ($((t1 - t0)) ms)"; else fail "--no-wait" "$((t1 - t0)) ms"; fi
is "$(q "SELECT status FROM rds_backup.operations WHERE resource = 'no-wait-snap' ORDER BY id DESC LIMIT 1")" "in_progress" \
	"and the snapshot goes on"

# libpq's conventions: --dbname CONNINFO instead of the PG* variables
out=$(env -u PGHOST -u PGPORT -u PGDATABASE "$hook" --dbname "host=$PGHOST port=$PGPORT dbname=postgres" \
	--instance orders-prod --snapshot via-conninfo --no-wait 2>/dev/null)
is "$?|$out" "0|via-conninfo" "--dbname CONNINFO connects as psql would"

out=$(env -u PGHOST -u PGPORT -u PGDATABASE "$hook" --dbname "postgresql:///postgres?host=$PGHOST&port=$PGPORT" \
	--instance orders-prod --snapshot via-uri --no-wait 2>/dev/null)
is "$?|$out" "0|via-uri" "--dbname takes a URI too"

# 4: the wait times out; the snapshot goes on and is tracked to its end
emu config durations.snapshot=6
t0=$(now_ms)
"$hook" --instance orders-prod --snapshot slow-snap --timeout 1s >"$RB_TMP/hook.out" 2>"$err"
rc=$?
t1=$(now_ms)
is "$rc" "4" "exit 4 when --timeout passes"
if [ $((t1 - t0)) -lt 4000 ]; then pass "the wait ended after its timeout ($((t1 - t0)) ms)"; else fail "timeout" "$((t1 - t0)) ms"; fi
like "$(tail -n 1 "$err")" "^rds-backup-snapshot: timed out waiting for snapshot slow-snap: .*; it goes on, tracked as rds_backup operation [0-9]+$" \
	"one line says the wait timed out and the snapshot goes on"
is "$(cat "$RB_TMP/hook.out")" "" "nothing on stdout when there is no snapshot yet"
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = 'slow-snap' ORDER BY id DESC LIMIT 1" succeeded 30)" "succeeded" \
	"the snapshot was tracked to its end after the hook gave up"

# a signal ends the wait in the server too; the snapshot goes on
emu config durations.snapshot=30
"$hook" --instance orders-prod --snapshot signaled --timeout 1h >/dev/null 2>"$err" &
hpid=$!
wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rds-backup-snapshot' AND query LIKE '%rds_wait%' AND state = 'active'" 1 10 >/dev/null
kill -TERM $hpid
wait $hpid
rc=$?
is "$rc" "143" "SIGTERM ends the hook (128 + 15)"
like "$(tail -n 1 "$err")" "interrupted: snapshot signaled goes on, tracked as rds_backup operation [0-9]+" "and says the snapshot goes on"
is "$(wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rds-backup-snapshot' AND query LIKE '%rds_wait%'" 0 5)" "0" \
	"its wait in the server was canceled"
is "$(q "SELECT status FROM rds_backup.operations WHERE resource = 'signaled' ORDER BY id DESC LIMIT 1")" "in_progress" "the snapshot goes on"

# 3: the connection is lost while waiting
"$hook" --instance orders-prod --snapshot cut-off --timeout 1h >/dev/null 2>"$err" &
hpid=$!
wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rds-backup-snapshot' AND query LIKE '%rds_wait%' AND state = 'active'" 1 10 >/dev/null
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'rds-backup-snapshot' AND query LIKE '%rds_wait%'" >/dev/null
wait $hpid
is "$?" "3" "exit 3 when the connection to PostgreSQL is lost"
like "$(tail -n 1 "$err")" "^rds-backup-snapshot: lost the connection to PostgreSQL while waiting: .*; snapshot cut-off goes on, tracked as rds_backup operation [0-9]+$" \
	"one line says so, and that the snapshot goes on"

# 1: refused by AWS, or the snapshot failed
emu config durations.snapshot=2
"$hook" --instance ghost-db >"$RB_TMP/hook.out" 2>"$err"
is "$?" "1" "exit 1 when AWS refuses"
is "$(wc -l <"$err")" "1" "with one line on stderr"
like "$(cat "$err")" "^rds-backup-snapshot: .*DBInstanceNotFound: DBInstance ghost-db not found" "saying why"
emu fail-next snapshot
"$hook" --instance orders-prod --snapshot doomed >"$RB_TMP/hook.out" 2>"$err"
is "$?" "1" "exit 1 when the snapshot fails"
like "$(tail -n 1 "$err")" "^rds-backup-snapshot: operation [0-9]+ \(snapshot of \"doomed\"\) failed$" "one line says it failed"
is "$(cat "$RB_TMP/hook.out")" "" "and nothing on stdout"

# 2: usage errors, before any connection
for args in "" "--instance a --cluster b" "--instance" "--instance orders_prod" \
	"--instance orders-prod --snapshot bad--name" "--instance orders-prod --tag novalue" \
	"--instance orders-prod --tag =x" "--instance orders-prod --tag k=1 --tag k=2" \
	"--instance orders-prod --timeout soon" "--instance orders-prod --timeout 8d" \
	"--instance orders-prod --timeout 0" "--instance orders-prod --bogus" "--instance orders-prod extra" \
	"--instance orders-prod --region="; do
	# shellcheck disable=SC2086
	PGHOST=/nonexistent "$hook" $args >/dev/null 2>"$err"
	rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <"$err")" = 1 ]; then
		pass "usage error exits 2 with one line: '$args' ($(cut -c1-60 "$err"))"
	else
		fail "usage error '$args'" "rc $rc, $(cat "$err")"
	fi
done
out=$("$hook" --help)
is "$?" "0" "--help exits 0"
like "$out" "Exit status: 0 done; 1 refused or failed; 2 usage error;" "and documents the exit codes"

# 3: PostgreSQL cannot be reached
"$hook" --instance orders-prod --dbname "host=$RB_TMP port=1" >/dev/null 2>"$err"
is "$?" "3" "exit 3 when PostgreSQL cannot be reached"
like "$(cat "$err")" "^rds-backup-snapshot: cannot connect to PostgreSQL: " "with one line saying so"
is "$(wc -l <"$err")" "1" "one line"

# a set -e deploy script stops before migrating when there is no snapshot
cat >"$RB_TMP/deploy.sh" <<EOF
set -e
SNAPSHOT=\$("$hook" --instance "\$1")
echo "migrating after \$SNAPSHOT"
EOF
out=$(bash "$RB_TMP/deploy.sh" ghost-db 2>/dev/null)
is "$?|$out" "1|" "a set -e deploy script stops before migrating when the snapshot is refused"
out=$(bash "$RB_TMP/deploy.sh" orders-prod 2>/dev/null)
like "$?|$out" "^0\|migrating after orders-prod-[0-9]{8}t[0-9]{6}$" "and migrates once the snapshot is available"

done_testing
