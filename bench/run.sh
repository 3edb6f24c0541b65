#!/usr/bin/env bash
# bench/run.sh: every benchmark in one run ("make bench" at the top level).
# Starts the emulator and a throwaway PostgreSQL once (test/lib.sh), on
# loopback only (as root: in a private network namespace), then runs each
# benchmark; every one prints its raw figures and a final ratio line.
#
#   make bench                          install into the system's PostgreSQL
#   RB_DESTDIR=/tmp/x make bench        into a private copy (test/lib.sh)
#   BENCHES="sigv4 call_cost" make bench
set -u
cd "$(dirname "$0")/.."
. bench/lib.sh

BENCHES=${BENCHES:-sigv4 call_cost memory tracker_cost}

if [ -z "${RB_ISOLATED:-}" ]; then
	make -s -C bench sigv4_bench static_server || exit 1
	rb_install || exit 1
fi
rb_isolate "$0" "$@"

RB_BENCH_READY=
export RB_POLL_INTERVAL=200ms
bench_setup || exit 1
echo "bench: $(nproc) cores, $(uname -sr), PostgreSQL $(q 'SHOW server_version'), $(curl --version | head -n 1 | cut -d' ' -f1,2), $(openssl version | cut -d' ' -f1,2)"

start=$SECONDS
rc=0
for b in $BENCHES; do
	echo "=== $b"
	t0=$SECONDS
	case $b in
		sigv4) bench/sigv4_bench "${SIGV4_SECONDS:-2}" bench/sigv4_botocore.py ;;
		*) bash "bench/$b.sh" ;;
	esac || { echo "bench: $b failed"; rc=1; }
	echo "($b: $((SECONDS - t0)) s)"
done
echo "bench: $((SECONDS - start)) s in all"
exit $rc
