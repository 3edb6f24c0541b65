#!/usr/bin/env bash
# The tracker worker's cost per pending operation: with N pending snapshots
# (N = 1,000 and 5,000, seeded in the emulator, operations rows inserted as
# test/scripts/30_batching.sh does) it samples, round by round:
#   - Describe calls per round (tracker_status().last_round_calls);
#   - the polling phase's duration: the worker reports "polling AWS" in
#     pg_stat_activity while it calls AWS, writes the round's audit rows and
#     updates changed operations, then goes idle (state_change - query_start);
#   - the worker's CPU per round (utime + stime, /proc/PID/stat).
# Steady rounds first (nothing moves in AWS), then the round where all N
# finish at once (the emulator clock jumps 260 s, inside the signature
# clock-skew window: a bigger jump would make the worker learn a clock
# offset that outlives the emulator's reset).  The worker counts a row as
# changed when it writes it (tracker_status().changes): that count is shown
# as "rows rewritten a round".
set -u
. "$(dirname "$0")/lib.sh"
bench_setup || exit 1

SIZES=${SIZES:-1000 5000}
ROUNDS=${ROUNDS:-4}
TICK_MS=$(( 1000 / $(getconf CLK_TCK) ))

# sample N K QUIET: K rounds with N pending (QUIET: only rounds that changed
# no operation), one line per round since the previous round's end:
# rounds calls pending polling_ms cpu_ticks changes
sample() {
	psql -XAtq -F ' ' -v ON_ERROR_STOP=1 <<-EOF
		CREATE TEMP TABLE r (rounds bigint, calls int, pending int, ms float8, ticks bigint, changes bigint);
		DO \$\$
		DECLARE
		  wpid int := (SELECT pid FROM rds_backup.tracker_status());
		  last_qs timestamptz;
		  last_changes bigint;
		  last_ticks bigint;
		  ticks bigint;
		  a record;
		  t record;
		  deadline timestamptz := clock_timestamp() + interval '60 s';
		BEGIN
		  WHILE (SELECT count(*) FROM r) < $2 AND clock_timestamp() < deadline LOOP
		    PERFORM pg_stat_clear_snapshot();
		    SELECT state, query, query_start, state_change INTO a
		      FROM pg_stat_activity WHERE pid = wpid;
		    IF a.state = 'idle' AND a.query = 'polling AWS' AND a.query_start IS DISTINCT FROM last_qs THEN
		      SELECT * INTO t FROM rds_backup.tracker_status();
		      SELECT f[12]::bigint + f[13]::bigint INTO ticks FROM
		        (SELECT string_to_array(substring(pg_read_file('/proc/' || wpid || '/stat') from '\) (.*)\$'), ' ') f) x;
		      IF last_qs IS NOT NULL AND t.last_pending = $1 AND (NOT $3 OR t.changes = last_changes) THEN
		        INSERT INTO r VALUES (t.rounds, t.last_round_calls, t.last_pending,
		          extract(epoch FROM a.state_change - a.query_start) * 1000,
		          ticks - last_ticks, t.changes - last_changes);
		      END IF;
		      last_qs := a.query_start;
		      last_changes := t.changes;
		      last_ticks := ticks;
		    END IF;
		    PERFORM pg_sleep(0.02);
		  END LOOP;
		END
		\$\$;
		SELECT * FROM r ORDER BY rounds;
	EOF
}

emu reset
echo "tracker_cost: pending snapshots tracked by the worker (poll_interval $(q "SHOW rds_backup.poll_interval"), CPU in ms at ${TICK_MS} ms ticks)"
for n in $SIZES; do
	emu reset
	emu config durations.snapshot=250 snapshot_quota=$((n * 2))
	emu seed-instance bulk-db
	emu seed-snapshot "bk$n" --instance bulk-db --count "$n" --status creating
	q "UPDATE rds_backup.operations SET status = 'canceled', finished_at = clock_timestamp()
	    WHERE finished_at IS NULL" >/dev/null
	q "INSERT INTO rds_backup.operations (kind, region, resource, source, requested_by, status, aws_status, request_id)
	   SELECT 'snapshot', 'us-east-1', 'bk$n-' || i, 'bulk-db', 'bench', 'in_progress', 'creating', 'seeded'
	     FROM generate_series(1, $n) i" >/dev/null

	# steady rounds: nothing moves in AWS (the first round seen, which may
	# have started before the rows were there, is skipped)
	sample "$n" "$ROUNDS" false >"$RB_TMP/tracker.$n"
	got=$(wc -l <"$RB_TMP/tracker.$n")
	[ "$got" -ge 1 ] || { echo "tracker_cost: no round seen with $n pending"; exit 1; }
	written=$(awk '{c += $6} END {printf "%.0f", c / NR}' "$RB_TMP/tracker.$n")
	calls=$(awk '{c += $2} END {printf "%.1f", c / NR}' "$RB_TMP/tracker.$n")
	p50ms=$(awk '{print $4}' "$RB_TMP/tracker.$n" | pct 50)
	cpu_ms=$(awk -v tick="$TICK_MS" '{c += $5} END {printf "%.1f", c * tick / NR}' "$RB_TMP/tracker.$n")
	printf '  %5d pending, steady rounds (%d): %s Describe calls a round, %s rows rewritten a round, polling phase p50 %s ms, worker CPU %s ms a round (%s us per pending operation)\n' \
		"$n" "$got" "$calls" "$written" "$p50ms" "$cpu_ms" "$(awk -v c="$cpu_ms" -v n="$n" 'BEGIN {printf "%.1f", c * 1000 / n}')"

	# every snapshot completes: the next round updates all N rows
	sample "$n" 1 false >"$RB_TMP/tracker.$n.done" &
	sampler=$!
	sleep 0.3	# the sampler has seen the last steady round
	t0=$(date +%s%N)
	emu clock --advance 260	# within the signature clock-skew window
	deadline=$((SECONDS + 120))
	while [ "$(q "SELECT count(*) FROM rds_backup.operations WHERE resource LIKE 'bk$n-%' AND status = 'succeeded'")" != "$n" ]; do
		[ $SECONDS -ge $deadline ] && { echo "tracker_cost: the $n operations did not all succeed"; exit 1; }
		sleep 0.1
	done
	t1=$(date +%s%N)
	wait "$sampler"
	read -r _ dcalls _ dms dticks dchanges <"$RB_TMP/tracker.$n.done"
	printf '  %5d pending, completion round: %s Describe calls, %s rows updated, polling phase %.0f ms (%.2f ms per updated row), worker CPU %d ms; all succeeded %s ms after the clock jump\n' \
		"$n" "$dcalls" "$dchanges" "$dms" "$(awk -v m="$dms" -v n="$dchanges" 'BEGIN {print m / n}')" "$((dticks * TICK_MS))" "$(( (t1 - t0) / 1000000 ))"
	echo "$n $calls $p50ms $cpu_ms" >>"$RB_TMP/tracker.summary"
done
read -r n1 c1 m1 u1 < <(head -n 1 "$RB_TMP/tracker.summary")
read -r n2 c2 m2 u2 < <(tail -n 1 "$RB_TMP/tracker.summary")
echo "tracker_cost: ${n1} -> ${n2} pending: calls a round ${c1} -> ${c2} (x$(ratio "$c2" "$c1")), polling phase ${m1} -> ${m2} ms (x$(ratio "$m2" "$m1")), worker CPU ${u1} -> ${u2} ms a round (x$(ratio "$u2" "$u1")) for x$(ratio "$n2" "$n1") operations"
