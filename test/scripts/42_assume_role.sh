#!/usr/bin/env bash
# rds_backup.role_arn and rds_backup.external_id: AssumeRole on top of the
# base credentials, set by a superuser for the server, a database or a
# role; another account's resources through its role; regional STS
# endpoints; the worker tracking an operation under an assumed role.
. "$(dirname "$0")/assert.sh"

# audit_log, once the queued audit rows (not waited for by read calls) are committed
aq() { q "SELECT rds_backup.catalog_flush()" >/dev/null && q "$1"; }

emu reset
emu config durations.snapshot=2
emu seed-instance role-db
emu seed-instance other-db --account 210987654321
emu seed-snapshot other-snap --instance other-db --account 210987654321

OPERATOR=arn:aws:iam::123456789012:role/rds-backup-operator
GUARDED=arn:aws:iam::123456789012:role/rds-backup-guarded
OTHER=arn:aws:iam::210987654321:role/rds-backup-cross
rb_emuctl call POST roles "{\"role_arn\": \"$GUARDED\", \"external_id\": \"pg-cluster-7\"}" >/dev/null

log_count() {
	rb_emuctl log --json | $RB_PY -c 'import json, sys
print(sum(1 for e in json.load(sys.stdin) if e.get("action") == sys.argv[1]))' "$1"
}
last_key() {
	rb_emuctl log --action "$1" --json | $RB_PY -c 'import json, sys; print(json.load(sys.stdin)[-1]["access_key_id"])'
}

# the server's static keys, then a role on top
is "$(q "SET rds_backup.role_arn = '$OPERATOR'; SELECT count(*) FROM rds_backup.rds_snapshots('role-db')")" "0" \
	"rds_backup.role_arn: calls are made with the assumed role"
like "$(last_key DescribeDBSnapshots)" "^ASIA" "signed with the role's temporary key, not the server's"
is "$(aq "SELECT params->>'RoleArn' || ' ' || (params->>'RoleSessionName') || ' ' || (params->>'DurationSeconds') || ' ' || http_status
         FROM rds_backup.audit_log WHERE action = 'AssumeRole' ORDER BY id DESC LIMIT 1")" \
	"$OPERATOR rds-backup 3600 200" "the AssumeRole call is in the audit log"
like "$(q "SET rds_backup.role_arn = '$OPERATOR'; SELECT source || '|' || access_key_id || '|' || role_arn FROM rds_backup.whoami()")" \
	"^assume-role via static\|ASIA\.\.\.[A-Z0-9]{4}\|$OPERATOR$" "whoami: the role, on top of the static keys"
for i in 1 2 3; do q "SET rds_backup.role_arn = '$OPERATOR'; SELECT count(*) FROM rds_backup.rds_snapshots('role-db')" >/dev/null; done
is "$(log_count AssumeRole)" "1" "one AssumeRole serves every session (shared cache)"

# external id
out=$(psql -XAtq -v VERBOSITY=verbose -c "SET rds_backup.role_arn = '$GUARDED'" -c "SELECT rds_backup.rds_snapshots('role-db')" 2>&1)
like "$out" "RB004: could not assume AWS role \"$GUARDED\" with the credentials from static" \
	"a role that requires an external id refuses to be assumed without it (RB004)"
like "$out" "STS AssumeRole failed: AccessDenied: User: arn:aws:iam::123456789012:user/rds-backup is not authorized" \
	"STS's AccessDenied is in the error"
is "$(q "SET rds_backup.role_arn = '$GUARDED'; SET rds_backup.external_id = 'pg-cluster-7';
         SELECT count(*) FROM rds_backup.rds_snapshots('role-db')")" "0" "rds_backup.external_id is sent"
is "$(aq "SELECT params->>'ExternalId' FROM rds_backup.audit_log WHERE action = 'AssumeRole' AND http_status = 200 ORDER BY id DESC LIMIT 1")" \
	"pg-cluster-7" "and audited"

# another account through its role
is "$(q "SELECT count(*) FROM rds_backup.rds_snapshots('other-db')")" "0" "the server's own account does not see the other account's snapshot"
is "$(q "SET rds_backup.role_arn = '$OTHER'; SELECT snapshot FROM rds_backup.rds_snapshots('other-db')")" "other-snap" \
	"a role in another account sees that account's snapshots"

# settings: checked, superuser-only, per role and per database
like "$(qerr "SET rds_backup.role_arn = 'arn:aws:iam::12345:user/x'")" "^22023 invalid value for parameter \"rds_backup.role_arn\"" \
	"a role ARN is checked"
like "$(qerr "SET rds_backup.external_id = 'a b'")" "^22023 invalid value for parameter \"rds_backup.external_id\"" "so is an external id"
q "DROP ROLE IF EXISTS rb_ops; CREATE ROLE rb_ops LOGIN;
   GRANT USAGE ON SCHEMA rds_backup TO rb_ops;
   GRANT EXECUTE ON FUNCTION rds_backup.rds_snapshots(text, text, text), rds_backup.whoami(text),
                             rds_backup.rds_snapshot(text, text, jsonb, boolean, interval, text) TO rb_ops;
   ALTER ROLE rb_ops SET rds_backup.role_arn = '$OTHER'" >/dev/null
like "$(PGUSER=rb_ops qerr "SET rds_backup.role_arn = ''")" "^42501 permission denied to set parameter" \
	"an ordinary role cannot change rds_backup.role_arn"
like "$(PGUSER=rb_ops qerr "ALTER ROLE rb_ops SET rds_backup.role_arn = '$OPERATOR'")" "^42501" "not even for itself"
is "$(PGUSER=rb_ops q "SELECT snapshot FROM rds_backup.rds_snapshots('other-db')")" "other-snap" \
	"a role-level rds_backup.role_arn (ALTER ROLE ... SET) applies to that role's sessions"
is "$(PGUSER=rb_ops q "SELECT role_arn FROM rds_backup.whoami()")" "$OTHER" "whoami says so"
# an operation started under the role-level setting keeps that identity:
# it runs in the other account, and the worker (which has no role of its
# own) polls it there; the visibility grace is short, so a poll in the
# server's own account would end it failed
q "ALTER SYSTEM SET rds_backup.visibility_grace = '2s'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
is "$(PGUSER=rb_ops q "SELECT account || ' ' || role_arn FROM rds_backup.rds_snapshot('other-db', 'role-level-snap')")" \
	"210987654321 $OTHER" "the operation records the account it runs in and the role it was started under"
sleep 3
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = 'role-level-snap'" succeeded 30)" "succeeded" \
	"the worker tracks it with that role, to succeeded"
keys=$(rb_emuctl log --action DescribeDBSnapshots --json | $RB_PY -c 'import json, sys
ks = sorted({e["access_key_id"][:4] for e in json.load(sys.stdin) if "role-level-snap" in json.dumps(e["params"])})
print(" ".join(ks))')
is "$keys" "ASIA" "every poll of it was signed with the role's temporary key, none with the server's"
is "$(q "SELECT count(*) FROM rds_backup.rds_snapshots('other-db')")" "0" \
	"(the server's own identity does not see that snapshot)"
q "ALTER SYSTEM RESET rds_backup.visibility_grace" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
# (rds_backup works in rds_backup.database only: that database's own setting)
q "ALTER DATABASE postgres SET rds_backup.role_arn = '$OTHER'" >/dev/null
is "$(q "SELECT snapshot FROM rds_backup.rds_snapshots('other-db') WHERE snapshot = 'other-snap'")" "other-snap" \
	"a database-level rds_backup.role_arn applies to that database's sessions"
q "ALTER DATABASE postgres RESET rds_backup.role_arn" >/dev/null
q "REVOKE ALL ON SCHEMA rds_backup FROM rb_ops; DROP OWNED BY rb_ops; DROP ROLE rb_ops" >/dev/null

# regional STS endpoints (no AWS_ENDPOINT_URL*): the hosts of the region's
# partition, which do not resolve inside test/run's network namespace
if [ -n "${RB_ISOLATED:-}" ]; then
	port=$(rb_free_port)
	rb_cluster "$RB_TMP/regional" "$port" "shared_preload_libraries = 'rds_backup'
rds_backup.endpoint = '$RB_EMU_URL'
rds_backup.access_key_id = '$RB_KEY_ID'
rds_backup.secret_access_key = '$RB_SECRET'
rds_backup.role_arn = '$OPERATOR'
rds_backup.max_attempts = 1
rds_backup.connect_timeout = '2s'"
	PGPORT=$port q "CREATE EXTENSION rds_backup" >/dev/null
	like "$(PGPORT=$port psql -XAtq -c "SELECT rds_backup.rds_snapshots(region => 'eu-west-1')" 2>&1)" \
		"STS AssumeRole failed: AssumeRole got no usable reply .*sts\.eu-west-1\.amazonaws\.com" \
		"AssumeRole goes to the regional STS endpoint of the call's region"
	like "$(PGPORT=$port psql -XAtq -c "SELECT rds_backup.rds_snapshots(region => 'cn-north-1')" 2>&1)" \
		"sts\.cn-north-1\.amazonaws\.com\.cn" "in China, to the .amazonaws.com.cn one"
	rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/regional" -m fast stop >/dev/null
else
	pass "# SKIP regional STS host names: need test/run's private network namespace"
	pass "# SKIP (continued)"
fi

# the worker tracks an operation under the server's assumed role: a
# snapshot in the other account, invisible to the base credentials
port=$(rb_free_port)
rb_cluster "$RB_TMP/worker-role" "$port" "shared_preload_libraries = 'rds_backup'
rds_backup.endpoint = '$RB_EMU_URL'
rds_backup.region = 'us-east-1'
rds_backup.access_key_id = '$RB_KEY_ID'
rds_backup.secret_access_key = '$RB_SECRET'
rds_backup.role_arn = '$OTHER'
rds_backup.poll_interval = '500ms'" "AWS_ENDPOINT_URL=$RB_EMU_URL"
PGPORT=$port q "CREATE EXTENSION rds_backup" >/dev/null
like "$(PGPORT=$port q "SELECT status FROM rds_backup.rds_snapshot('other-db', 'cross-snap')")" "^(pending|in_progress)$" \
	"a snapshot started under the role"
is "$(PGPORT=$port wait_for "SELECT status FROM rds_backup.operations WHERE resource = 'cross-snap'" "succeeded" 60)" "succeeded" \
	"the worker follows it to the end with the same role"
is "$(PGPORT=$port aq "SELECT count(*) FROM rds_backup.audit_log WHERE action = 'AssumeRole'")" "1" \
	"session and worker processes share one AssumeRole"
rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/worker-role" -m fast stop >/dev/null

done_testing
