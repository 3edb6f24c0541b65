# test/scripts/assert.sh: assertions for the scripted tests.
#
# The scripts run under test/run, which has started PostgreSQL (PGHOST,
# PGPORT, PGUSER, PGDATA exported) and the emulator (RB_EMU_PORT); they
# work in database "postgres", the one the tracker worker watches.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export PGDATABASE=postgres
T_PASS=0
T_FAIL=0

pass() { echo "ok - $1"; T_PASS=$((T_PASS + 1)); }
fail() { echo "not ok - $1: $2"; T_FAIL=$((T_FAIL + 1)); }

# is GOT WANT NAME
is() {
	if [ "$1" == "$2" ]; then pass "$3"; else fail "$3" "got '$1', want '$2'"; fi
}

# like GOT REGEX NAME
like() {
	if [[ "$1" =~ $2 ]]; then pass "$3"; else fail "$3" "'$1' does not match /$2/"; fi
}

# ok COMMAND... (name is the last argument)
ok() {
	local name=${*: -1}
	if "${@:1:$#-1}"; then pass "$name"; else fail "$name" "command failed"; fi
}

# q SQL: one value, unaligned
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1" 2>&1; }

# qerr SQL: "SQLSTATE message" of the error, or "no error"
qerr() {
	local out
	out=$(psql -XAtq -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$1" 2>&1 >/dev/null)
	if [ -z "$out" ]; then echo "no error"; return; fi
	echo "$out" | sed -nE 's/^ERROR:  ([0-9A-Z]{5}): (.*)$/\1 \2/p' | head -n 1
}

# wait_for SQL EXPECTED SECONDS: poll until SQL returns EXPECTED
wait_for() {
	local deadline=$((SECONDS + $3)) got
	while :; do
		got=$(q "$1")
		[ "$got" == "$2" ] && { echo "$got"; return 0; }
		[ $SECONDS -ge $deadline ] && { echo "$got"; return 1; }
		sleep 0.2
	done
}

emu() { rb_emuctl "$@" >/dev/null; }

# Milliseconds since the epoch.
now_ms() { date +%s%3N; }

done_testing() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

q "CREATE EXTENSION IF NOT EXISTS rds_backup" >/dev/null
