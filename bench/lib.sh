# bench/lib.sh: set-up shared by the bench scripts.
#
# bench/run.sh starts the emulator and a throwaway PostgreSQL once (test/lib.sh
# rb_setup) and exports RB_BENCH_READY; a script run on its own does the same
# set-up for itself.  Loopback only.
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$BENCH_DIR/../test/lib.sh"

# q SQL: the result, unaligned, no headers
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

emu() { rb_emuctl "$@" >/dev/null; }

bench_setup() {
	[ -n "${RB_BENCH_READY:-}" ] && return 0
	rb_install || return 1
	# the poll interval tracker_cost.sh reads its round times against
	export RB_POLL_INTERVAL=${RB_POLL_INTERVAL:-500ms}
	rb_setup || return 1
	export PGDATABASE=postgres RB_BENCH_READY=1
	q "CREATE EXTENSION IF NOT EXISTS rds_backup" >/dev/null
}

# pct P: the P-th percentile (nearest rank) of the numbers on stdin
pct() { sort -g | awk -v p="$1" '{v[NR]=$1} END {i=int((p*NR+99)/100); if (i<1) i=1; printf "%.2f", v[i]}'; }

# ratio A B: A/B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
