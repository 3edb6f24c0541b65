#!/usr/bin/env bash
# TLS: certificate verification is always on; rds_backup.ca_file trusts a
# private CA. Privileges seen from fresh sessions of an ordinary role.
. "$(dirname "$0")/assert.sh"

emu reset
emu seed-instance tls-db

# an HTTPS emulator with a self-signed certificate for 127.0.0.1/localhost
tls=$RB_TMP/tls
mkdir -p "$tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-keyout "$tls/key.pem" -out "$tls/cert.pem" >/dev/null 2>&1
chmod 755 "$tls"
chmod 644 "$tls"/*.pem
chown "$RB_USER" "$tls"
rb_as_user "$RB_PY" "$RB_REPO/test/emulator/rds_emulator.py" --port 0 --port-file "$tls/port" --state-dir "$tls" \
	--tls-cert "$tls/cert.pem" --tls-key "$tls/key.pem" >"$RB_TMP/emulator-tls.log" 2>&1 &
tls_pid=$!
for i in $(seq 1 100); do [ -s "$tls/port" ] && break; sleep 0.1; done
tport=$(cat "$tls/port")
/usr/bin/python3 - "$tport" "$tls/cert.pem" <<'PY'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
req = urllib.request.Request("https://127.0.0.1:%s/_emulator/seed/instance" % sys.argv[1],
                             data=json.dumps({"id": "tls-db"}).encode(), method="POST",
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, context=ctx).read()
PY

like "$(qerr "SET rds_backup.endpoint = 'https://localhost:$tport'; SELECT rds_backup.rds_snapshots('tls-db')")" \
	"^RB001 could not reach RDS for DescribeDBSnapshots" "a certificate the system does not trust is refused"
like "$(psql -XAtq -c "SET rds_backup.endpoint = 'https://localhost:$tport'" -c "SELECT rds_backup.rds_snapshots('tls-db')" 2>&1)" \
	"certificate" "and the error says why (DETAIL)"
# a create: nothing was sent, so the operation is failed at once; the
# session goes on working
out=$(psql -XAtq -c "SET rds_backup.max_attempts = 1" -c "SET rds_backup.endpoint = 'https://localhost:$tport'" \
	-c "SELECT rds_backup.rds_snapshot('tls-db', 'tls-untrusted')" -c "RESET rds_backup.endpoint" \
	-c "SELECT 'usable ' || count(*) FROM rds_backup.rds_snapshots('tls-db')" 2>&1)
like "$out" "Operation [0-9]+ is failed" "a create over an untrusted certificate is failed at once (nothing was sent)"
like "$out" "usable 0" "and the session is usable afterwards"
is "$(q "SELECT status FROM rds_backup.operations WHERE resource = 'tls-untrusted' ORDER BY id DESC LIMIT 1")" "failed" \
	"its operations row says failed"
is "$(q "SET rds_backup.endpoint = 'https://localhost:$tport'; SET rds_backup.ca_file = '$tls/cert.pem';
         SELECT count(*) FROM rds_backup.rds_snapshots('tls-db')")" "0" "rds_backup.ca_file trusts the private CA: the call succeeds over TLS"
like "$(qerr "SET rds_backup.endpoint = 'https://127.0.0.2:$tport'; SET rds_backup.ca_file = '$tls/cert.pem';
         SELECT rds_backup.rds_snapshots('tls-db')")" "^RB001" "a certificate for another host name is refused"
kill "$(cat "$tls/pid")" $tls_pid 2>/dev/null

# fresh sessions of an ordinary login role
q "DROP ROLE IF EXISTS rb_plain; CREATE ROLE rb_plain LOGIN" >/dev/null
qp() { PGUSER=rb_plain qerr "$1"; }
like "$(qp "SHOW rds_backup.secret_access_key")" "^42501 must be superuser" "a fresh non-superuser session cannot SHOW the secret key"
like "$(qp "SHOW rds_backup.session_token")" "^42501" "nor the session token"
like "$(qp "SELECT current_setting('rds_backup.secret_access_key', true)")" "^42501" "nor read it with current_setting"
is "$(PGUSER=rb_plain q "SELECT count(*) FROM pg_settings WHERE name IN ('rds_backup.secret_access_key', 'rds_backup.session_token', 'rds_backup.access_key_id')")" \
	"0" "pg_settings shows no credential rows to it"
is "$(PGUSER=rb_plain q "SHOW ALL" | grep -c 'rds_backup.secret\|emulator/secret')" "0" "SHOW ALL leaves them out"
like "$(qp "SET rds_backup.endpoint = 'https://evil.invalid'")" "^42501 permission denied" "it cannot redirect the endpoint"
like "$(qp "SET rds_backup.ca_file = '/tmp/x.pem'")" "^42501 permission denied" "nor change the CA bundle"
like "$(qp "ALTER ROLE rb_plain SET rds_backup.endpoint = 'https://evil.invalid'")" "^42501" "not even for its own role"
like "$(qp "SELECT rds_backup.rds_snapshots()")" "^42501 permission denied for schema rds_backup" "without grants it cannot call anything"
q "DROP ROLE rb_plain" >/dev/null

done_testing
