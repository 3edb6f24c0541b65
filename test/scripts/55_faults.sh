#!/usr/bin/env bash
# Every fault the network or AWS can throw at a call, each with its exact
# outcome: the SQLSTATE and message, the attempts in audit_log, the
# operations row (a create that may have reached AWS stays pending until
# the tracker settles it; one AWS refused is failed), and the session
# still usable afterwards.
. "$(dirname "$0")/assert.sh"

emu reset
emu config durations.snapshot=1 durations.delete=1
emu seed-instance fault-db

# "SQLSTATE: message | detail" of an ERROR, or "ok"
q "CREATE OR REPLACE FUNCTION public.rb_outcome(q text) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE st text; msg text; det text;
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    RETURN st || ': ' || msg || ' | ' || coalesce(det, '');
END \$\$" >/dev/null

READ="SELECT count(*) FROM rds_backup.rds_snapshots('fault-db')"

# run SETTINGS; SQL in one session, after a fault is set; sets
#   OUT    "SQLSTATE: message | detail" or "ok"
#   CALLS  this session's audit rows of the call: attempt:http_status:error_code,...
#   USABLE what a clean call in the same session returns afterwards
#   MS     how long the call took, in milliseconds
run() {
	local res
	res=$(psql -XAtq -v ON_ERROR_STOP=1 2>&1 <<-SQL
		$1
		SELECT rds_backup.catalog_flush();
		SELECT coalesce(max(id), 0) AS mark FROM rds_backup.audit_log \gset
		SELECT clock_timestamp() AS t0 \gset
		SELECT 'out|' || public.rb_outcome(\$q\$$2\$q\$);
		SELECT 'ms|' || round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
		RESET ALL;
		\! $RB_PY $RB_REPO/test/emulator/emuctl.py --port $RB_EMU_PORT faults-clear >/dev/null
		SELECT rds_backup.catalog_flush();
		SELECT 'calls|' || coalesce(string_agg(attempt || ':' || coalesce(http_status::text, '-') || ':'
		                                       || coalesce(error_code, '-'), ',' ORDER BY id), '')
		  FROM rds_backup.audit_log WHERE backend_pid = pg_backend_pid() AND id > :mark;
		SELECT 'usable|' || count(*) FROM rds_backup.rds_snapshots('fault-db');
	SQL
	)
	OUT=$(sed -n 's/^out|//p' <<<"$res")
	CALLS=$(sed -n 's/^calls|//p' <<<"$res")
	USABLE=$(sed -n 's/^usable|//p' <<<"$res")
	MS=$(sed -n 's/^ms|//p' <<<"$res")
	[ -n "$USABLE" ] || echo "# $res"
}

# read CASE FAULT-ARGS SETTINGS WANT-OUT-REGEX WANT-CALLS
read_case() {
	local name=$1 fault=$2 settings=$3 want=$4 calls=$5
	emu faults-clear
	# shellcheck disable=SC2086
	emu fault DescribeDBSnapshots $fault
	run "$settings" "$READ"
	like "$OUT" "$want" "$name: outcome"
	is "$CALLS" "$calls" "$name: attempts in audit_log"
	is "$USABLE" "0" "$name: the session is usable afterwards"
}

TWO="SET rds_backup.max_attempts = 2; SET rds_backup.request_timeout = '1s';"

read_case "throttling, retried" "throttle --count 1" "$TWO" '^ok$' "1:400:Throttling,2:200:-"
read_case "throttling past the retries" "throttle --count 5" "$TWO" \
	'^53000: RDS DescribeDBSnapshots failed: Throttling: Rate exceeded \| AWS request ID: ' \
	"1:400:Throttling,2:400:Throttling"
read_case "HTTP 503, retried" "http503 --count 1" "$TWO" '^ok$' "1:503:ServiceUnavailable,2:200:-"
read_case "HTTP 500 past the retries" "http500 --count 5" "$TWO" \
	'^58000: RDS DescribeDBSnapshots failed: InternalFailure: ' \
	"1:500:InternalFailure,2:500:InternalFailure"
read_case "connection reset, retried" "reset --count 1" "$TWO" '^ok$' "1:-:transport,2:200:-"
read_case "reset in the middle of the body, retried" "midreset --count 1" "$TWO" '^ok$' \
	"1:-:transport,2:200:-"
read_case "body cut short, past the retries" "truncated --count 5" "$TWO" \
	'^RB001: could not reach RDS for DescribeDBSnapshots \| transport error: ' \
	"1:-:transport,2:-:transport"
read_case "a reply slower than the timeout, retried" "delay --delay 3 --count 1" "$TWO" '^ok$' \
	"1:-:timeout,2:200:-"
read_case "no reply at all, past the timeout" "hang --delay 5 --count 5" "$TWO" \
	'^RB001: could not reach RDS for DescribeDBSnapshots \| timeout: ' "1:-:timeout,2:-:timeout"
read_case "malformed XML" "malformed --count 5" "$TWO" \
	'^RB002: RDS DescribeDBSnapshots returned a reply that is not AWS XML \| HTTP 200 with malformed XML reply: line [0-9]+, column [0-9]+: .* \(libxml2 error [0-9]+\)\.$' \
	"1:200:malformed-reply"
read_case "a proxy's HTML page" "html --count 5" "$TWO" \
	'^RB002: RDS DescribeDBSnapshots returned a reply that is not AWS XML \| HTTP 200 with Content-Type "text/html; charset=utf-8", not XML\.$' \
	"1:200:malformed-reply"
read_case "a DOCTYPE with an external entity" "doctype --count 5" "$TWO" \
	'^RB002: .* \| HTTP 200 with XML reply has a DOCTYPE declaration\.$' "1:200:malformed-reply"
read_case "billion laughs" "entities --count 5" "$TWO" \
	'^RB002: .* \| HTTP 200 with XML reply has a DOCTYPE declaration\.$' "1:200:malformed-reply"
read_case "100 levels of elements (the limit is 64)" "deep --size 100 --count 5" "$TWO" \
	'^RB002: .* \| HTTP 200 with XML reply refused: elements are nested too deeply\.$' \
	"1:200:malformed-reply"
read_case "300 levels of elements (beyond libxml2's own limit of 256)" "deep --size 300 --count 5" "$TWO" \
	'^RB002: .* \| HTTP 200 with XML reply refused: elements are nested too deeply\.$' \
	"1:200:malformed-reply"
read_case "200,001 elements (the limit is 200,000)" "wide --count 5" "$TWO" \
	'^RB002: .* \| HTTP 200 with XML reply refused: too many elements\.$' "1:200:malformed-reply"
since=$(rb_emuctl log --json --action DescribeDBSnapshots | /usr/bin/python3 -c 'import json,sys; l=json.load(sys.stdin); print(max([e["seq"] for e in l] or [0]))')
read_case "a redirect" "redirect --count 5" "$TWO" \
	'^RB002: RDS DescribeDBSnapshots returned a reply that is not AWS XML \| HTTP 307 redirect, not followed\.$' \
	"1:307:malformed-reply"
is "$(rb_emuctl log --json --since "$since" | grep -c redirected=1)" "0" "the redirect was not followed"
read_case "a 100 MB reply" "oversized --size 104857600 --count 5" "$TWO" \
	'^RB002: RDS DescribeDBSnapshots returned a reply larger than 16777216 bytes \| reply larger than 16777216 bytes\.$' \
	"1:-:reply-too-large"
if [ "${MS:-99999}" -lt 5000 ]; then pass "the 100 MB reply is refused as it comes, in ${MS} ms"; else fail "100 MB refused quickly" "${MS} ms"; fi

# README's error table: each kind of AWS error code and its SQLSTATE (one
# attempt, so that retried kinds show their final mapping at once)
ONE="SET rds_backup.max_attempts = 1;"
while read -r code status want; do
	read_case "AWS error $code" "error --code $code --status $status --count 5" "$ONE" \
		"^$want: RDS DescribeDBSnapshots failed: $code: Injected error \\| AWS request ID: " "1:$status:$code"
done <<-'TABLE'
	DBSnapshotNotFound 404 42704
	DBInstanceNotFoundFault 404 42704
	DBSnapshotAlreadyExists 400 42710
	InvalidDBInstanceState 400 55000
	PointInTimeRestoreNotEnabled 400 55000
	InvalidParameterValue 400 22023
	InvalidParameterCombination 400 22023
	MissingParameter 400 22023
	ValidationError 400 22023
	SignatureDoesNotMatch 403 RB003
	IncompleteSignature 400 RB003
	MissingAuthenticationToken 403 RB003
	InvalidClientTokenId 403 RB003
	ExpiredToken 403 RB003
	AccessDenied 403 42501
	KMSKeyNotAccessibleFault 400 42501
	Throttling 400 53000
	RequestLimitExceeded 400 53000
	SnapshotQuotaExceeded 400 53400
	InternalFailure 500 58000
	InvalidExportOnly 400 38000
	SomethingNew 400 38000
TABLE

# Creates: whether AWS may have acted decides the operations row, as the
# ERROR's DETAIL says: failed when AWS refused, else pending until the
# tracker has asked AWS.
# create CASE FAULT-ARGS SNAPSHOT WANT-OUT-REGEX WANT-STATUS-NOW WANT-STATUS-LATER
create_case() {
	local name=$1 fault=$2 snap=$3 want=$4 now=$5 later=$6
	emu faults-clear
	# shellcheck disable=SC2086
	emu fault CreateDBSnapshot $fault
	run "$TWO" "SELECT rds_backup.rds_snapshot('fault-db', '$snap')"
	like "$OUT" "$want" "$name: outcome"
	like "$OUT" "Operation [0-9]+ is $now\.\$" "$name: the operation is $now at once"
	is "$USABLE" "$([ "$later" == succeeded ] && echo 1 || echo 0)" "$name: the session is usable afterwards"
	is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = '$snap' ORDER BY id DESC LIMIT 1" "$later" 30)" "$later" \
		"$name: and $later once the tracker has asked AWS"
	q "SELECT rds_backup.rds_delete_snapshot('$snap', wait => true)" >/dev/null 2>&1
}

create_case "create refused by throttling" "throttle --count 5" "fault-throttled" \
	'^53000: RDS CreateDBSnapshot failed: Throttling' failed failed
create_case "create whose reply never comes" "hang --delay 5 --count 5" "fault-hung" \
	'^RB001: could not reach RDS for CreateDBSnapshot \| timeout: ' pending succeeded
create_case "create answered with a DOCTYPE" "doctype --count 5" "fault-doctype" \
	'^RB002: RDS CreateDBSnapshot returned a reply that is not AWS XML' pending succeeded
create_case "create answered with a redirect" "redirect --count 5" "fault-redirect" \
	'^RB002: .* \| HTTP 307 redirect, not followed\.' pending succeeded
is "$(rb_emuctl counts --by-target --action CreateDBSnapshot | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin).get("CreateDBSnapshot", {})
print(",".join("%s=%d" % (t, c[t]["requests"]) for t in sorted(c) if t.startswith("fault-")))')" \
	"fault-doctype=1,fault-hung=2,fault-redirect=1,fault-throttled=2" \
	"each create reached the emulator once per attempt, and was never replayed elsewhere"
emu faults-clear
q "DROP FUNCTION public.rb_outcome(text)" >/dev/null

# The *_proxy variables of the server's environment are ignored (README,
# Security model): here they name a proxy that listens nowhere, which
# would fail every call if libcurl were left to honour them.
port2=$(rb_free_port)
rm -rf "$RB_TMP/proxy"
rb_cluster "$RB_TMP/proxy" "$port2" "shared_preload_libraries = 'rds_backup'
rds_backup.endpoint = '$RB_EMU_URL'
rds_backup.region = 'us-east-1'
rds_backup.access_key_id = '$RB_KEY_ID'
rds_backup.secret_access_key = '$RB_SECRET'" \
	http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
	all_proxy=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9
PGPORT=$port2 q "CREATE EXTENSION rds_backup" >/dev/null
is "$(PGPORT=$port2 q "$READ")" "0" "a server whose environment names a proxy still calls AWS directly"
rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/proxy" -m fast stop >/dev/null

done_testing
