#!/usr/bin/env bash
# No credential reaches the server log, at log_min_messages = debug5 with
# every statement logged: not PostgreSQL's own "parameter ... changed to"
# on reload, not a statement that sets one, not a refused one; nor the
# catalogs every role can read (ALTER ROLE/DATABASE ... SET is refused).
. "$(dirname "$0")/assert.sh"

emu reset
emu seed-instance redact-db
# a key pair of its own, so that the reload really changes the settings
key=AKIAREDACTTEST000001
secret=RedactTestSecret/0123456789abcdefghijKLMN
token=RedactTestToken/FQoGZXIvYXdzEJr//////////wEaDM0123456789
rb_emuctl call POST credentials "{\"access_key_id\": \"$key\", \"secret_access_key\": \"$secret\"}" >/dev/null
# values typed where they are refused or logged
s_user=RedactUserSecret/abcdefghij0123456789
s_role=RedactRoleSecret/abcdefghij0123456789
s_db=RedactDatabaseToken/abcdefghij0123456789
s_func=RedactFunctionSecret/abcdefghij012345678
s_before=RedactValueBeforeName/abcdefghij01234
s_ctx=RedactContextSecret/abcdefghij0123456789

log_from=$(($(stat -c %s "$PGDATA.log") + 1))
set_conf() { psql -XAtq -v ON_ERROR_STOP=1 -c "ALTER SYSTEM SET $1" >/dev/null; }
reload() { q "SELECT pg_reload_conf()" >/dev/null; sleep 1; }
set_conf "log_min_messages = debug5"
set_conf "log_statement = 'all'"
set_conf "log_min_error_statement = debug5"
reload

# the documented way for a superuser: ALTER SYSTEM and a reload
set_conf "rds_backup.access_key_id = '$key'"
set_conf "rds_backup.secret_access_key = '$secret'"
set_conf "rds_backup.session_token = '$token'"
set_conf "rds_backup.session_token = ''"
reload
is "$(q "SHOW rds_backup.secret_access_key")" "********" "after the reload the secret key is set (SHOW masks it)"
is "$(q "SELECT count(*) FROM rds_backup.rds_snapshots('redact-db')")" "0" "and calls are signed with the new key pair"
like "$(rb_emuctl log --json --action DescribeDBSnapshots --target redact-db)" "$key" \
	"the emulator saw the new access key id"

# a role that may not set them: refused, and its statement is not logged
q "DROP ROLE IF EXISTS rb_redact; CREATE ROLE rb_redact LOGIN" >/dev/null
like "$(PGUSER=rb_redact qerr "SET rds_backup.secret_access_key = '$s_user'")" "^42501 permission denied" \
	"a non-superuser cannot set the secret key"

# where every role could read them: refused, without quoting the value
out=$(qerr "ALTER ROLE rb_redact SET rds_backup.secret_access_key = '$s_role'")
like "$out" "^22023 AWS credentials cannot be stored in the database catalogs" "ALTER ROLE ... SET of a credential is refused"
[[ "$out" == *"$s_role"* ]] && fail "the refusal does not quote the value" "it does" || pass "the refusal does not quote the value"
like "$(qerr "ALTER DATABASE postgres SET rds_backup.session_token = '$s_db'")" "^22023 AWS credentials cannot be stored" \
	"ALTER DATABASE ... SET is refused"
like "$(qerr "CREATE FUNCTION public.rb_redact_f() RETURNS int LANGUAGE sql SET rds_backup.secret_access_key = '$s_func' AS 'SELECT 1'")" \
	"^22023 AWS credentials cannot be stored" "a function's SET clause is refused"
is "$(q "SELECT count(*) FROM pg_db_role_setting s, unnest(s.setconfig) c WHERE c LIKE 'rds_backup.%'")" "0" \
	"pg_db_role_setting holds no credential"

# statements that carry a value: a value before the setting's name, and one
# in a PL/pgSQL statement that fails (its text is the error's CONTEXT)
q "SELECT set_config(n, '$s_before', false) FROM (VALUES ('rds_backup.secret_access_key')) v(n)" >/dev/null
q "SELECT length('$secret')" >/dev/null
qerr "DO \$\$ BEGIN EXECUTE 'SET rds_backup.secret_access_key = ''$s_ctx'''; PERFORM 1/0; END \$\$" >/dev/null

# rds_backup's own messages name settings to say what to fix: left whole
out=$(psql -XAtq -c "SET rds_backup.access_key_id = ''" -c "SET rds_backup.secret_access_key = ''" \
	-c "SELECT rds_backup.rds_snapshots('redact-db')" 2>&1)
like "$out" "rds_backup.access_key_id" "rds_backup's own error about missing credentials names the settings"
[[ "$out" == *"the rest is not logged"* ]] && fail "and is not cut" "$out" || pass "and is not cut"

set_conf "rds_backup.access_key_id = DEFAULT"
set_conf "rds_backup.secret_access_key = DEFAULT"
set_conf "rds_backup.session_token = DEFAULT"
set_conf "log_min_messages = DEFAULT"
set_conf "log_statement = DEFAULT"
set_conf "log_min_error_statement = DEFAULT"
reload
q "DROP ROLE rb_redact" >/dev/null
is "$(q "SELECT count(*) FROM rds_backup.rds_snapshots('redact-db')")" "0" "the configured key pair signs again"

tail -c +"$log_from" "$PGDATA.log" >"$RB_TMP/redact.log"
like "$(cat "$RB_TMP/redact.log")" 'parameter "rds_backup.secret_access_key" changed to "\*\*\*\*\*\*\*\*"' \
	"PostgreSQL's reload message is logged with the value masked"
like "$(cat "$RB_TMP/redact.log")" 'statement: ALTER SYSTEM SET rds_backup.secret_access_key \[the rest is not logged' \
	"a statement that sets a credential is logged up to the setting's name"
like "$(grep -c 'DEBUG' "$RB_TMP/redact.log")" "^[1-9][0-9]*$" "the log was at debug5 meanwhile"
leaks=0
for v in "$secret" "$token" "$s_user" "$s_role" "$s_db" "$s_func" "$s_before" "$s_ctx"; do
	if grep -qF "$v" "$RB_TMP/redact.log"; then
		fail "no credential in the server log" "$(grep -F "$v" "$RB_TMP/redact.log" | head -n 1)"
		leaks=1
	fi
done
[ $leaks -eq 0 ] && pass "none of the eight values is in the server log"
# the key id is not a secret, but the reload message masks it as well
if grep -q "changed to \"$key\"" "$RB_TMP/redact.log"; then fail "the key id is masked" "it is not"; else pass "the key id is masked"; fi
like "$(cat "$RB_TMP/redact.log")" "SELECT length\('\*{20,}'\)" "the current secret is masked wherever it appears"

# every log destination: a server whose collector writes stderr, csvlog and
# jsonlog files
s_dest=RedactEveryDestination/abcdefghij0123456
port2=$(rb_free_port)
rm -rf "$RB_TMP/logdest"
rb_cluster "$RB_TMP/logdest" "$port2" "shared_preload_libraries = 'rds_backup'
logging_collector = on
log_destination = 'stderr,csvlog,jsonlog'
log_directory = 'log'
log_min_messages = debug5
log_statement = 'all'"
PGPORT=$port2 psql -XAtq -c "ALTER SYSTEM SET rds_backup.secret_access_key = '$s_dest'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
# a credential written without quotes, which the file's parser cuts into
# tokens: the one its syntax error quotes is masked
s_token=9RedactUnquotedToken0123456789abcdef
cp "$RB_TMP/logdest/postgresql.conf" "$RB_TMP/logdest.conf.saved"
echo "rds_backup.session_token = $s_token" >>"$RB_TMP/logdest/postgresql.conf"
PGPORT=$port2 psql -XAtq -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
cp "$RB_TMP/logdest.conf.saved" "$RB_TMP/logdest/postgresql.conf"
PGPORT=$port2 psql -XAtq -c "SELECT 1" >/dev/null
rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/logdest" -m fast stop >/dev/null
for ext in log csv json; do
	f=$(ls "$RB_TMP/logdest/log/"*."$ext" 2>/dev/null | head -n 1)
	if [ -z "$f" ]; then
		fail "the $ext log" "no file"
	elif grep -qF -e "$s_dest" -e "RedactUnquotedToken" "$f"; then
		fail "no credential in the $ext log" "$(grep -F -e "$s_dest" -e "RedactUnquotedToken" "$f" | head -n 1)"
	elif ! grep -qE 'near token .{1,2}\*{8}' "$f"; then
		fail "the $ext log has the syntax error with its token masked" "it has not"
	elif ! grep -q 'rds_backup.secret_access_key.* changed to .*\*\*\*\*\*\*\*\*' "$f"; then
		fail "the $ext log has the masked reload message" "it has not"
	else
		pass "the $ext log masks the reload message and a syntax error's token, and holds no credential"
	fi
done

done_testing
