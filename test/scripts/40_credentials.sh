#!/usr/bin/env bash
# Credentials and region as the AWS SDKs resolve them: static settings, the
# server's environment (with a session token), the shared credentials and
# config files with profiles; and what happens without any.
. "$(dirname "$0")/assert.sh"

emu reset
for r in us-east-1 eu-west-2 eu-central-1 ap-southeast-2; do emu seed-instance "db-$r" --region "$r"; done

region_of_last_call() { q "SELECT region FROM rds_backup.audit_log ORDER BY id DESC LIMIT 1"; }

files=$RB_TMP/aws
mkdir -p "$files"
cat >"$files/credentials" <<EOF2
# comments and odd spacing are fine
[default]
aws_access_key_id = AKIANOSUCHKEY0000000
aws_secret_access_key = wrong/secret/000000000000000000000000

[ops]
aws_access_key_id=$RB_KEY_ID
aws_secret_access_key   =   $RB_SECRET

[half]
aws_access_key_id = $RB_KEY_ID
EOF2
cat >"$files/config" <<EOF2
[default]
region = eu-west-2

[profile ops]
region = eu-west-2

[profile cfgonly]
region = eu-central-1
aws_access_key_id = ASIAEMULATOR00000001
aws_secret_access_key = emulator/secret/key/temporary0000000001
aws_session_token = emulator-session-token-0000000001
EOF2
chmod 755 "$files"
chmod 644 "$files"/*

# 1. static settings with a session token (temporary credentials)
is "$(q "SET rds_backup.access_key_id = 'ASIAEMULATOR00000001';
        SET rds_backup.secret_access_key = 'emulator/secret/key/temporary0000000001';
        SET rds_backup.session_token = 'emulator-session-token-0000000001';
        SELECT count(*) FROM rds_backup.rds_snapshots()")" "0" "static temporary credentials with a session token are accepted"
like "$(qerr "SET rds_backup.access_key_id = 'ASIAEMULATOR0EXPIRED';
        SET rds_backup.secret_access_key = 'emulator/secret/key/expired00000000001';
        SET rds_backup.session_token = 'emulator-session-token-expired';
        SELECT rds_backup.rds_snapshots()")" "^RB003 RDS DescribeDBSnapshots failed: ExpiredToken" "expired temporary credentials: ExpiredToken, SQLSTATE RB003"

# an AWS error that quotes the canonical request (with the session token)
# reaches the ERROR cut short, and the token never shows
emu fault DescribeDBSnapshots error --code SignatureDoesNotMatch --status 403 --count 1 \
	--message "Signature mismatch. The Canonical String for this request should have been 'POST / x-amz-security-token:emulator-session-token-0000000001'"
out=$(psql -XAtq -c "SET rds_backup.access_key_id = 'ASIAEMULATOR00000001'" \
	-c "SET rds_backup.secret_access_key = 'emulator/secret/key/temporary0000000001'" \
	-c "SET rds_backup.session_token = 'emulator-session-token-0000000001'" \
	-c "SELECT rds_backup.rds_snapshots()" 2>&1)
like "$out" "SignatureDoesNotMatch: Signature mismatch" "AWS's error reaches the caller"
if [[ "$out" == *"session-token"* || "$out" == *"Canonical String"* ]]; then
	fail "the quoted canonical request is cut off" "it is not"
else
	pass "the quoted canonical request, and the token in it, are cut off"
fi

# 3. shared files, by profile; region from the profile
nostatic="SET rds_backup.access_key_id = ''; SET rds_backup.secret_access_key = '';
          SET rds_backup.credentials_file = '$files/credentials'; SET rds_backup.config_file = '$files/config';"
like "$(qerr "$nostatic SELECT rds_backup.rds_snapshots()")" "^RB003 .*InvalidClientTokenId" \
	"the default profile's (wrong) key is used when no profile is named"
is "$(q "$nostatic SET rds_backup.profile = 'ops'; SELECT count(*) FROM rds_backup.rds_snapshots('db-us-east-1')")" "0" \
	"profile ops of the shared credentials file"
is "$(q "$nostatic SET rds_backup.profile = 'ops'; SET rds_backup.region = '';
         SELECT count(*) FROM rds_backup.rds_snapshots(); SELECT rds_backup.catalog_flush(); SELECT region FROM rds_backup.audit_log WHERE backend_pid = pg_backend_pid() ORDER BY id DESC LIMIT 1" | tail -n 1)" \
	"eu-west-2" "the region comes from the profile in the config file"
is "$(q "$nostatic SET rds_backup.profile = 'cfgonly'; SET rds_backup.region = '';
         SELECT count(*) FROM rds_backup.rds_snapshots(); SELECT rds_backup.catalog_flush(); SELECT region FROM rds_backup.audit_log WHERE backend_pid = pg_backend_pid() ORDER BY id DESC LIMIT 1" | tail -n 1)" \
	"eu-central-1" "credentials with a session token from a [profile NAME] section of the config file"
like "$(qerr "$nostatic SET rds_backup.profile = 'half'; SELECT rds_backup.rds_snapshots()")" \
	"^RB004 could not get AWS credentials from shared files" "half a key pair is an error"
like "$(psql -XAtq -c "$nostatic SET rds_backup.profile = 'half'; SELECT rds_backup.rds_snapshots()" 2>&1)" \
	"profile \"half\" of \".*credentials\" has only half of a key pair" "and the error says which profile and file"
like "$(qerr "$nostatic SET rds_backup.profile = 'nosuch'; SELECT rds_backup.rds_snapshots()")" \
	"^RB004 could not get AWS credentials from shared files" "a profile named but in neither file is an error"

# within one session: a rewritten credentials file is read again at the
# next call (rotated keys), and a changed endpoint is used at once
printf '[default]\naws_access_key_id = AKIANOSUCHKEY0000000\naws_secret_access_key = wrong/secret/0\n' >"$files/rotating"
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$RB_KEY_ID" "$RB_SECRET" >"$files/rotated"
chmod 644 "$files/rotating" "$files/rotated"
out=$(psql -XAtq -c "SET rds_backup.access_key_id = ''" -c "SET rds_backup.secret_access_key = ''" \
	-c "SET rds_backup.credentials_file = '$files/rotating'" -c "SET rds_backup.config_file = '$files/none'" \
	-c "SET rds_backup.max_attempts = 1" \
	-c "SELECT 'before', count(*) FROM rds_backup.rds_snapshots('db-us-east-1')" \
	-c "\\! cp $files/rotated $files/rotating" \
	-c "SELECT 'after', count(*) FROM rds_backup.rds_snapshots('db-us-east-1')" 2>&1)
like "$out" "InvalidClientTokenId" "the key in the credentials file is used"
like "$out" "after\|0" "the file rewritten with other keys is read again at the next call of the session"
out=$(psql -XAtq -c "SET rds_backup.max_attempts = 1" \
	-c "SELECT 'first', count(*) FROM rds_backup.rds_snapshots('db-us-east-1')" \
	-c "SET rds_backup.endpoint = 'http://127.0.0.1:1'" \
	-c "SELECT 'moved', count(*) FROM rds_backup.rds_snapshots('db-us-east-1')" \
	-c "RESET rds_backup.endpoint" \
	-c "SELECT 'back', count(*) FROM rds_backup.rds_snapshots('db-us-east-1')" 2>&1)
like "$out" "first\|0.*could not reach RDS.*back\|0" "a changed endpoint is used at the next call, and so is the old one once set back"

# nothing anywhere: a clear error before any call
like "$(qerr "SET rds_backup.access_key_id = ''; SET rds_backup.secret_access_key = '';
        SET rds_backup.credentials_file = '$files/none'; SET rds_backup.config_file = '$files/none';
        SELECT rds_backup.rds_snapshot('db-us-east-1', 'no-creds')")" "^RB004 no AWS credentials found" "no credentials: SQLSTATE RB004"
out=$(psql -XAtq -c "SET rds_backup.access_key_id = ''; SET rds_backup.secret_access_key = '';
        SET rds_backup.credentials_file = '$files/none'; SET rds_backup.config_file = '$files/none';
        SELECT rds_backup.rds_snapshots()" 2>&1)
like "$out" "DETAIL:  Sources tried, in order: rds_backup settings: rds_backup.access_key_id is not set; environment: AWS_ACCESS_KEY_ID is not set; web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set; shared files: profile \"default\" is in neither \"$files/none\" nor \"$files/none\"; container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set; instance metadata: disabled by AWS_EC2_METADATA_DISABLED\." \
	"the error names every source tried, in order, and why each gave nothing"
is "$(q "SELECT count(*) FROM rds_backup.audit_log WHERE target = 'no-creds'")" "0" "nothing was sent"
is "$(q "SELECT count(*) FROM rds_backup.operations WHERE resource = 'no-creds'")" "0" "and nothing was recorded as started"
like "$(qerr "SET rds_backup.region = ''; SET rds_backup.config_file = '$files/none'; SELECT rds_backup.rds_snapshots()")" \
	"^22023 no AWS region is configured" "no region anywhere: a clear error"

# 2. the server's environment: key, secret, token, region and endpoint
port2=$(rb_free_port)
rb_cluster "$RB_TMP/env" "$port2" "shared_preload_libraries = 'rds_backup'
rds_backup.database = 'postgres'" \
	AWS_ACCESS_KEY_ID=ASIAEMULATOR00000001 AWS_SECRET_ACCESS_KEY=emulator/secret/key/temporary0000000001 \
	AWS_SESSION_TOKEN=emulator-session-token-0000000001 AWS_REGION=ap-southeast-2 AWS_DEFAULT_REGION=us-east-1 \
	AWS_ENDPOINT_URL_RDS="$RB_EMU_URL"
q2() { PGPORT=$port2 q "$1"; }
q2 "CREATE EXTENSION rds_backup" >/dev/null
is "$(q2 "SHOW rds_backup.endpoint")" "" "rds_backup.endpoint is empty in that server"
is "$(q2 "SELECT count(*) FROM rds_backup.rds_snapshots('db-ap-southeast-2')")" "0" \
	"credentials, session token and endpoint from the environment (AWS_ENDPOINT_URL_RDS)"
is "$(q2 "SELECT rds_backup.catalog_flush(); SELECT region FROM rds_backup.audit_log WHERE action = 'DescribeDBSnapshots' ORDER BY id DESC LIMIT 1" | tail -n 1)" "ap-southeast-2" "AWS_REGION wins over AWS_DEFAULT_REGION"
is "$(q2 "SELECT status FROM rds_backup.rds_snapshot('db-ap-southeast-2', 'from-env', wait => true)")" "succeeded" \
	"a snapshot end to end with environment credentials"
rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/env" -m fast stop >/dev/null

# AWS_PROFILE with the shared files named by the environment
port3=$(rb_free_port)
rb_cluster "$RB_TMP/profile" "$port3" "shared_preload_libraries = 'rds_backup'" \
	AWS_PROFILE=ops AWS_SHARED_CREDENTIALS_FILE="$files/credentials" AWS_CONFIG_FILE="$files/config" \
	AWS_ENDPOINT_URL="$RB_EMU_URL"
q3() { PGPORT=$port3 q "$1"; }
q3 "CREATE EXTENSION rds_backup" >/dev/null
is "$(q3 "SELECT count(*) FROM rds_backup.rds_snapshots('db-eu-west-2')")" "0" "AWS_PROFILE selects the profile of the shared files"
is "$(q3 "SELECT rds_backup.catalog_flush(); SELECT region FROM rds_backup.audit_log WHERE action = 'DescribeDBSnapshots' ORDER BY id DESC LIMIT 1" | tail -n 1)" "eu-west-2" "and its region"
rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/profile" -m fast stop >/dev/null

# without shared_preload_libraries: CREATE EXTENSION, and every call where
# the extension exists already, fail at once with an ERROR and a HINT
port4=$(rb_free_port)
rb_cluster "$RB_TMP/nopreload" "$port4" "rds_backup.endpoint = '$RB_EMU_URL'
rds_backup.region = 'us-east-1'" \
	AWS_SHARED_CREDENTIALS_FILE="$files/credentials" AWS_PROFILE=ops
out=$(PGPORT=$port4 psql -XAtq -v VERBOSITY=verbose -c "CREATE EXTENSION rds_backup" 2>&1)
like "$out" "55000: rds_backup must be loaded through shared_preload_libraries" \
	"without shared_preload_libraries, CREATE EXTENSION is refused"
like "$out" "HINT:  Add rds_backup to shared_preload_libraries in postgresql.conf and restart the server." "with a HINT"
echo "shared_preload_libraries = 'rds_backup'" >>"$RB_TMP/nopreload/postgresql.conf"
rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/nopreload" -l "$RB_TMP/nopreload.log" -w restart >/dev/null
PGPORT=$port4 q "CREATE EXTENSION rds_backup" >/dev/null
sed -i '$d' "$RB_TMP/nopreload/postgresql.conf"
rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/nopreload" -l "$RB_TMP/nopreload.log" -w restart >/dev/null
t0=$(now_ms)
like "$(PGPORT=$port4 qerr "SELECT rds_backup.rds_snapshot('db-us-east-1', 'no-preload')")" \
	"^55000 rds_backup must be loaded through shared_preload_libraries" \
	"with the extension created, a call without shared_preload_libraries fails"
t1=$(now_ms)
if [ $((t1 - t0)) -lt 1000 ]; then pass "at once ($((t1 - t0)) ms)"; else fail "at once" "$((t1 - t0)) ms"; fi
is "$(PGPORT=$port4 q "SELECT count(*) FROM rds_backup.operations")" "0" "and nothing is recorded"
rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/nopreload" -m fast stop >/dev/null

done_testing
