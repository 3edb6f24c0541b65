#!/usr/bin/env bash
# Profiles that run credential_process or assume a role (source_profile,
# role chains, credential_source); temporary credentials refreshed before
# they expire, kept through a failed refresh while still good, and never
# used within a minute of expiry.
. "$(dirname "$0")/assert.sh"

# audit_log, once the queued audit rows (not waited for by read calls) are committed
aq() { q "SELECT rds_backup.catalog_flush()" >/dev/null && q "$1"; }

emu reset
emu seed-instance refresh-db

OPERATOR=arn:aws:iam::123456789012:role/rds-backup-operator
OTHER=arn:aws:iam::210987654321:role/rds-backup-cross
REFRESH_ROLE=arn:aws:iam::123456789012:role/rds-backup-short
CONTAINER_TOKEN=emulator-container-token-0000000002

files=$RB_TMP/refresh
mkdir -p "$files"
# proc.sh NAME: temporary credentials that expire $(cat NAME.lifetime)
# seconds from now (none: they do not expire); NAME.mode "fail" makes it
# fail; every run is counted in NAME.count
cat >"$files/proc.sh" <<'EOF2'
#!/bin/sh
d=$(dirname "$0")
echo x >>"$d/$1.count"
[ "$(cat "$d/$1.mode" 2>/dev/null)" = fail ] && { echo "no credentials today" >&2; exit 1; }
[ "$(cat "$d/$1.mode" 2>/dev/null)" = hang ] && exec sleep 30
[ "$(cat "$d/$1.mode" 2>/dev/null)" = garbage ] && { echo '{"AccessKeyId": "x"}'; exit 0; }
exp=""
[ -s "$d/$1.lifetime" ] && exp=", \"Expiration\": \"$(date -u -d "+$(cat "$d/$1.lifetime") seconds" +%Y-%m-%dT%H:%M:%SZ)\""
printf '{"Version": 1, "AccessKeyId": "ASIAEMULATOR00000001", "SecretAccessKey": "emulator/secret/key/temporary0000000001", "SessionToken": "emulator-session-token-0000000001"%s}\n' "$exp"
EOF2
chmod 755 "$files/proc.sh"
for n in refresh long grace expire forever hang garbage; do
	: >"$files/$n.count"
	echo ok >"$files/$n.mode"
done
echo 305 >"$files/refresh.lifetime"
echo 330 >"$files/long.lifetime"
echo 200 >"$files/grace.lifetime"
echo 70 >"$files/expire.lifetime"
echo hang >"$files/hang.mode"
echo garbage >"$files/garbage.mode"
printf '%s' "$CONTAINER_TOKEN" >"$files/container-token"
cat >"$files/credentials" <<EOF2
[base]
aws_access_key_id = $RB_KEY_ID
aws_secret_access_key = $RB_SECRET
EOF2
{
	for n in refresh long grace expire forever hang garbage; do
		printf '[profile %s]\ncredential_process = %s/proc.sh %s\n\n' "$n" "$files" "$n"
	done
	cat <<EOF2
[profile chained]
role_arn = $OPERATOR
source_profile = base
role_session_name = pg-chained

[profile chained2]
role_arn = $OTHER
source_profile = chained

[profile loop-a]
role_arn = $OPERATOR
source_profile = loop-b

[profile loop-b]
role_arn = $OPERATOR
source_profile = loop-a

[profile from-container]
role_arn = $OPERATOR
credential_source = EcsContainer

[profile from-imds]
role_arn = $OPERATOR
credential_source = Ec2InstanceMetadata

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Backup
EOF2
} >"$files/config"
chmod 755 "$files"
chmod 644 "$files"/*
chmod 666 "$files"/*.count "$files"/*.mode
chmod 755 "$files/proc.sh"
emu config container_authorization_token="$CONTAINER_TOKEN"

port=$(rb_free_port)
rb_cluster "$RB_TMP/refresh-pg" "$port" "shared_preload_libraries = 'rds_backup'
rds_backup.endpoint = '$RB_EMU_URL'
rds_backup.region = 'us-east-1'
rds_backup.request_timeout = '3s'
log_min_messages = debug5" "AWS_ENDPOINT_URL_STS=$RB_EMU_URL" \
	"AWS_CONFIG_FILE=$files/config" "AWS_SHARED_CREDENTIALS_FILE=$files/credentials" \
	"AWS_CONTAINER_CREDENTIALS_FULL_URI=$RB_EMU_URL/ecs/credentials" \
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$files/container-token" \
	AWS_EC2_METADATA_DISABLED=false "AWS_EC2_METADATA_SERVICE_ENDPOINT=$RB_EMU_URL/"
export PGPORT=$port
q "CREATE EXTENSION rds_backup" >/dev/null
as() { q "SET rds_backup.profile = '$1'; $2"; }
aserr() { qerr "SET rds_backup.profile = '$1'; $2"; }
runs() { wc -l <"$files/$1.count" | tr -d ' '; }
calls() {
	rb_emuctl log --json | $RB_PY -c 'import json, sys
print(sum(1 for e in json.load(sys.stdin) if e.get("action") == sys.argv[1]))' "$1"
}
SNAP="SELECT count(*) FROM rds_backup.rds_snapshots('refresh-db')"

# credential_process, with credentials that expire in 305 s, 200 s, 70 s
is "$(as refresh "$SNAP")" "0" "credential_process gives credentials"
t0=$SECONDS
is "$(as refresh "SELECT source || ' ' || (expires_at - now() BETWEEN interval '290 s' AND interval '306 s') FROM rds_backup.whoami()")" \
	"credential-process true" "whoami: credential-process, expiring when the process said"
is "$(as grace "$SNAP")/$(as expire "$SNAP")/$(as long "$SNAP")" "0/0/0" "three more profiles, each with its own process"
is "$(as refresh "$SNAP")" "0" "a second session"
is "$(runs refresh)" "1" "runs nothing again: the first run's credentials are shared"
echo fail >"$files/grace.mode"
echo fail >"$files/expire.mode"
sleep $((t0 + 12 - SECONDS))

is "$(as refresh "$SNAP")" "0" "a call 12 s later, 293 s before expiry"
is "$(runs refresh)" "2" "ran the process again: credentials are refreshed 5 minutes before they expire"
is "$(as long "$SNAP")/$(runs long)" "0/1" "credentials with 318 s left are not refreshed yet"
is "$(as grace "$SNAP")" "0" "a refresh that fails while the credentials are still good for 3 minutes: the call goes on"
is "$(runs grace)" "2" "with the old credentials (the refresh was tried)"
like "$(grep -c 'could not refresh the AWS credentials from credential-process' "$RB_TMP/refresh-pg.log")" "^[1-9]" \
	"and the server log says so"
before=$(calls DescribeDBSnapshots)
out=$(psql -XAtq -v VERBOSITY=verbose -c "SET rds_backup.profile = 'expire'" -c "$SNAP" 2>&1)
like "$out" "RB004: could not get AWS credentials from shared files" \
	"a refresh that fails less than a minute before expiry is an ERROR"
like "$out" "credential_process of profile \"expire\": exited with status 1" "saying why"
like "$(grep -c 'no credentials today' "$RB_TMP/refresh-pg.log")" "^[1-9]" "the process's stderr goes to the server log"
is "$(calls DescribeDBSnapshots)" "$before" "and nothing is sent with credentials about to expire"

# credentials that do not expire; a process that hangs or prints nonsense
is "$(as forever "SELECT coalesce(expires_at::text, 'never') FROM rds_backup.whoami()")" "never" \
	"credential_process without Expiration: credentials that do not expire"
t1=$SECONDS
like "$(aserr hang "$SNAP")" "^RB004 could not get AWS credentials from shared files" "a process that hangs"
like "$(psql -XAtq -c "SET rds_backup.profile = 'hang'" -c "$SNAP" 2>&1)" \
	"did not finish within rds_backup.request_timeout \(3000 ms\)" "is killed after rds_backup.request_timeout"
ok test $((SECONDS - t1)) -lt 12 "both within their timeouts"
like "$(psql -XAtq -c "SET rds_backup.profile = 'garbage'" -c "$SNAP" 2>&1)" \
	"credential_process of profile \"garbage\": its output lacks \"Version\": 1" "output that is not credentials is refused"

# role profiles
like "$(as chained "SELECT source || '|' || role_arn FROM rds_backup.whoami()")" \
	"^profile chained: assume-role via shared-credentials-file\|$OPERATOR$" "role_arn + source_profile: AssumeRole on the source's keys"
is "$(aq "SELECT params->>'RoleSessionName' FROM rds_backup.audit_log WHERE action = 'AssumeRole' ORDER BY id DESC LIMIT 1")" \
	"pg-chained" "with role_session_name"
like "$(as chained2 "SELECT source || '|' || role_arn FROM rds_backup.whoami()")" \
	"^profile chained2: assume-role via profile chained: .*\|$OTHER$" "a role chain: a role assumed with another role's credentials"
like "$(psql -XAtq -c "SET rds_backup.profile = 'loop-a'" -c "$SNAP" 2>&1)" \
	"profile \"loop-a\" is its own source_profile through a loop" "a source_profile loop is an error"
like "$(as from-container "SELECT source || '|' || role_arn FROM rds_backup.whoami()")" \
	"^profile from-container: assume-role via container\|$OPERATOR$" "credential_source = EcsContainer"
like "$(as from-imds "SELECT source || '|' || role_arn FROM rds_backup.whoami()")" \
	"^profile from-imds: assume-role via instance-metadata\|$OPERATOR$" "credential_source = Ec2InstanceMetadata"
like "$(psql -XAtq -c "SET rds_backup.profile = 'sso'" -c "$SNAP" 2>&1)" \
	"profile \"sso\" uses IAM Identity Center \(sso_\*\), which rds_backup does not support yet" \
	"an IAM Identity Center profile is refused, saying so"

# an assumed role whose credentials live 305 s is assumed again 5 minutes
# before they expire
emu config credential_lifetime_seconds=305
ROLE_SNAP="SET rds_backup.profile = 'base'; SET rds_backup.role_arn = '$REFRESH_ROLE'; $SNAP"
before=$(calls AssumeRole)
is "$(q "$ROLE_SNAP")" "0" "a call under a role whose credentials live 305 s"
is "$(q "$ROLE_SNAP")/$(($(calls AssumeRole) - before))" "0/1" "assumed once"
sleep 11
is "$(q "$ROLE_SNAP")/$(($(calls AssumeRole) - before))" "0/2" "and again 11 s later, 294 s before they expire"
emu config credential_lifetime_seconds=0

rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/refresh-pg" -m fast stop >/dev/null
done_testing
