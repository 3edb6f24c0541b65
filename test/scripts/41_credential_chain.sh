#!/usr/bin/env bash
# The provider chain beyond static keys: web identity, container
# credentials, EC2 instance metadata (IMDSv2), in the AWS SDKs' order; the
# region from instance metadata; errors that name every source; one
# metadata fetch for 48 sessions starting at once; nothing secret in a
# server log at log_min_messages = debug5.
. "$(dirname "$0")/assert.sh"

# audit_log, once the queued audit rows (not waited for by read calls) are committed
aq() { q "SELECT rds_backup.catalog_flush()" >/dev/null && q "$1"; }

emu reset
emu seed-instance chain-db
emu seed-instance chain-db-eu --region eu-west-3

WEB_TOKEN=emulator-web-identity-token-0000000001
CONTAINER_TOKEN=emulator-container-token-0000000001
IRSA_ROLE=arn:aws:iam::123456789012:role/rds-backup-irsa
INSTANCE_ROLE=arn:aws:iam::123456789012:role/rds-backup-instance-role

files=$RB_TMP/chain
mkdir -p "$files"
printf '%s\n' "$WEB_TOKEN" >"$files/web-token"
printf '%s' "$CONTAINER_TOKEN" >"$files/container-token"
cat >"$files/credentials" <<EOF2
[default]
aws_access_key_id = $RB_KEY_ID
aws_secret_access_key = $RB_SECRET
EOF2
chmod 755 "$files"
chmod 644 "$files"/*
emu config container_authorization_token="$CONTAINER_TOKEN"

META=(AWS_EC2_METADATA_DISABLED=false "AWS_EC2_METADATA_SERVICE_ENDPOINT=$RB_EMU_URL/")
CONTAINER=("AWS_CONTAINER_CREDENTIALS_FULL_URI=$RB_EMU_URL/ecs/credentials"
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$files/container-token")
WEB=("AWS_WEB_IDENTITY_TOKEN_FILE=$files/web-token" "AWS_ROLE_ARN=$IRSA_ROLE" AWS_ROLE_SESSION_NAME=pod-7)

# start NAME CONF ENV...: a cluster with no static credentials, whose
# RDS calls go to rds_backup.endpoint and STS calls to AWS_ENDPOINT_URL_STS
start() {
	local name=$1 conf=$2 port
	shift 2
	port=$(rb_free_port)
	rb_cluster "$RB_TMP/$name" "$port" "shared_preload_libraries = 'rds_backup'
rds_backup.endpoint = '$RB_EMU_URL'
rds_backup.connect_timeout = '2s'
rds_backup.request_timeout = '10s'
$conf" "AWS_ENDPOINT_URL_STS=$RB_EMU_URL" "$@" >&2 || return 1
	PGPORT=$port q "CREATE EXTENSION rds_backup" >/dev/null
	echo "$port"
}
stop() { rb_as_user "$(rb_bindir)/pg_ctl" -D "$RB_TMP/$1" -m fast stop >/dev/null; }
who() { PGPORT=$1 q "${2:-} SELECT source || '|' || access_key_id || '|' || coalesce(role_arn, '-') FROM rds_backup.whoami()"; }
log_count() {
	rb_emuctl log --json | $RB_PY -c 'import json, sys
print(sum(1 for e in json.load(sys.stdin) if e.get("action") == sys.argv[1]))' "$1"
}
ASIA='ASIA\.\.\.[A-Z0-9]{4}'

# the environment beats web identity, container and instance metadata; the
# settings beat the environment
p=$(start order-env "rds_backup.region = 'us-east-1'" "${WEB[@]}" "${CONTAINER[@]}" "${META[@]}" \
	AWS_ACCESS_KEY_ID=$RB_KEY_ID AWS_SECRET_ACCESS_KEY=$RB_SECRET)
is "$(who "$p")" "environment|AKIA...0001|-" "the server's environment comes before web identity, container and IMDS"
is "$(who "$p" "SET rds_backup.access_key_id = 'ASIAEMULATOR00000001';
	SET rds_backup.secret_access_key = 'emulator/secret/key/temporary0000000001';
	SET rds_backup.session_token = 'emulator-session-token-0000000001';")" \
	"static|ASIA...0001|arn:aws:iam::123456789012:role/rds-backup-role" \
	"rds_backup settings come first; whoami names the role of temporary keys (GetCallerIdentity)"
is "$(PGPORT=$p aq "SELECT count(*) FROM rds_backup.audit_log WHERE action = 'GetCallerIdentity' AND service = 'sts' AND http_status = 200")" \
	"1" "whoami's GetCallerIdentity is in the audit log"
is "$(log_count AssumeRoleWithWebIdentity)/$(log_count ContainerCredentials)/$(log_count IMDSToken)" "0/0/0" \
	"sources after the one that answered are not asked"
stop order-env

# web identity (EKS IRSA): unsigned AssumeRoleWithWebIdentity to
# AWS_ENDPOINT_URL_STS, before the shared files, container and IMDS
p=$(start web "rds_backup.region = 'us-east-1'
log_min_messages = debug5" "${WEB[@]}" "${CONTAINER[@]}" "${META[@]}" \
	"AWS_SHARED_CREDENTIALS_FILE=$files/credentials")
like "$(who "$p")" "^web-identity\|$ASIA\|$IRSA_ROLE$" "web identity comes before the shared files, container and IMDS"
is "$(PGPORT=$p q "SELECT count(*) FROM rds_backup.rds_snapshots('chain-db')")" "0" "an RDS call with web identity credentials"
entry=$(rb_emuctl log --action AssumeRoleWithWebIdentity --json | $RB_PY -c 'import json, sys
e = json.load(sys.stdin)[-1]
print(e["status"], e["access_key_id"] or "unsigned", e["params"]["RoleSessionName"], e["params"]["WebIdentityToken"])')
is "$entry" "200 unsigned pod-7 ***" "sent unsigned, with AWS_ROLE_SESSION_NAME; the emulator never saw a signature"
is "$(PGPORT=$p aq "SELECT params->>'WebIdentityToken' FROM rds_backup.audit_log WHERE action = 'AssumeRoleWithWebIdentity'")" \
	"[redacted]" "the audit log has the STS call, with the token redacted"
is "$(log_count AssumeRoleWithWebIdentity)" "1" "one STS call for several calls and sessions"
stop web

# a configured source that fails stops the chain: no fall-through to IMDS
rb_emuctl call POST roles "{\"role_arn\": \"$IRSA_ROLE\", \"web_identity_token\": \"some-other-token\"}" >/dev/null
p=$(start web-bad "rds_backup.region = 'us-east-1'" "${WEB[@]}" "${META[@]}")
out=$(PGPORT=$p psql -XAtq -v VERBOSITY=verbose -c "SELECT rds_backup.rds_snapshots('chain-db')" 2>&1)
like "$out" "ERROR:  RB004: could not get AWS credentials from web identity" "a web identity that STS refuses is an ERROR (RB004)"
like "$out" "web identity: STS AssumeRoleWithWebIdentity failed: InvalidIdentityToken: Incorrect token audience \(request id [0-9a-f-]+\)" \
	"naming STS's error and request id"
like "$out" "Sources tried, in order: rds_backup settings: rds_backup.access_key_id is not set; environment: AWS_ACCESS_KEY_ID is not set; web identity" \
	"and the sources tried before it"
is "$(log_count IMDSCredentials)" "0" "instance metadata was not tried in its place"
stop web-bad
rb_emuctl call POST roles "{\"role_arn\": \"$IRSA_ROLE\"}" >/dev/null

# container credentials: full URI and a token file; after web identity and
# the shared files, before IMDS; the task role comes with the credentials
p=$(start container "rds_backup.region = 'us-east-1'" "${CONTAINER[@]}" "${META[@]}")
like "$(who "$p")" "^container\|$ASIA\|$INSTANCE_ROLE$" "container credentials come before IMDS"
is "$(who "$p" "SET rds_backup.credentials_file = '$files/credentials';")" "shared-credentials-file|AKIA...0001|-" \
	"the shared files come before container credentials"
is "$(log_count ContainerCredentials)" "1" "one container credentials fetch"
stop container

p=$(start container-bad "rds_backup.region = 'us-east-1'" "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.10/creds" "${META[@]}")
out=$(PGPORT=$p psql -XAtq -v VERBOSITY=verbose -c "SELECT rds_backup.rds_snapshots('chain-db')" 2>&1)
like "$out" "RB004: could not get AWS credentials from container" "a container URI over plain http to another host is refused"
like "$out" "must be https, or http to a loopback address or the ECS or EKS container host" "saying what is allowed"
stop container-bad

# IMDSv2 alone, no region configured anywhere: region and credentials from
# instance metadata; every message down to debug5 in the log
emu config instance_region='"eu-west-3"'
rb_emuctl call DELETE log >/dev/null
p=$(start imds "log_min_messages = debug5" "${META[@]}")
is "$(PGPORT=$p q "SELECT count(*) FROM rds_backup.rds_snapshots('chain-db-eu')")" "0" "an RDS call with instance role credentials"
is "$(PGPORT=$p aq "SELECT region FROM rds_backup.audit_log WHERE action = 'DescribeDBSnapshots' ORDER BY id DESC LIMIT 1")" "eu-west-3" \
	"the region comes from instance metadata when nothing else names one"
is "$(rb_emuctl log --json | $RB_PY -c 'import json, sys
print(" ".join("%s:%s" % (e["method"], e["action"]) for e in json.load(sys.stdin) if e.get("service") == "metadata"))')" \
	"PUT:IMDSToken GET:IMDS PUT:IMDSToken GET:IMDS GET:IMDSCredentials" \
	"IMDSv2: a session token first, then the region; a token, the role, its credentials"
like "$(who "$p")" "^instance-metadata\|$ASIA\|$INSTANCE_ROLE$" "whoami: instance metadata, masked key, the instance role"
is "$(PGPORT=$p q "SELECT expires_at > now() + interval '5 hours' FROM rds_backup.whoami()")" "t" "and when they expire"
stop imds

# 48 sessions at once, with the metadata service answering in 1 s: one fetch
emu config metadata_delay_seconds=1
rb_emuctl call DELETE log >/dev/null
# (generous timeouts: what is counted is fetches, on a machine that may be busy)
p=$(start imds48 "rds_backup.region = 'eu-west-3'
rds_backup.connect_timeout = '10s'
rds_backup.request_timeout = '30s'
max_connections = 80" "${META[@]}" AWS_METADATA_SERVICE_TIMEOUT=10)
mkdir -p "$RB_TMP/imds48.out"
for i in $(seq 1 48); do
	PGPORT=$p psql -XAtq -c "SELECT count(*) FROM rds_backup.rds_snapshots('chain-db-eu')" >"$RB_TMP/imds48.out/$i" 2>&1 &
done
wait
is "$(cat "$RB_TMP/imds48.out"/* | grep -c '^0$')" "48" "48 sessions starting at once all call RDS"
grep -hv '^0$' "$RB_TMP/imds48.out"/* | sort | uniq -c | head -5
is "$(log_count IMDSCredentials)/$(log_count IMDSToken)" "1/1" "with one instance metadata fetch between them (one token, one credentials GET)"
is "$(PGPORT=$p q "SELECT count(*) FROM rds_backup.rds_snapshots('chain-db-eu')")" "0" "a later session"
is "$(log_count IMDSCredentials)" "1" "uses the same credentials"
emu config metadata_delay_seconds=0
stop imds48

# the default endpoints of the ECS agent (relative URI) and of IMDS, on
# their link-local addresses: only inside test/run's private network
# namespace, where they can be put on loopback
if [ -n "${RB_ISOLATED:-}" ] && [ "$(id -u)" -eq 0 ]; then
	ip addr add 169.254.170.2/32 dev lo && ip addr add 169.254.169.254/32 dev lo
	$RB_PY - "$RB_EMU_PORT" >"$RB_TMP/relay.log" 2>&1 <<'PY' &
import socket, sys, threading
target = ("127.0.0.1", int(sys.argv[1]))
def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
def serve(addr):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, 80))
    ls.listen(64)
    while True:
        c, _ = ls.accept()
        u = socket.create_connection(target)
        threading.Thread(target=pipe, args=(c, u), daemon=True).start()
        threading.Thread(target=pipe, args=(u, c), daemon=True).start()
for addr in ("169.254.170.2", "169.254.169.254"):
    threading.Thread(target=serve, args=(addr,), daemon=True).start()
threading.Event().wait()
PY
	relay=$!
	sleep 0.5
	p=$(start relative "rds_backup.region = 'us-east-1'" AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/ecs/credentials \
		"AWS_CONTAINER_AUTHORIZATION_TOKEN=$CONTAINER_TOKEN")
	like "$(who "$p")" "^container\|$ASIA\|" "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI goes to the ECS agent at 169.254.170.2, with AWS_CONTAINER_AUTHORIZATION_TOKEN"
	stop relative
	p=$(start imds-default "rds_backup.region = 'us-east-1'" AWS_EC2_METADATA_DISABLED=false)
	like "$(who "$p")" "^instance-metadata\|$ASIA\|" "instance metadata is at 169.254.169.254 by default"
	stop imds-default
	kill $relay
	ip addr del 169.254.170.2/32 dev lo
	ip addr del 169.254.169.254/32 dev lo
else
	pass "# SKIP default ECS and IMDS addresses: need root in test/run's private network namespace"
	pass "# SKIP (continued)"
fi

done_testing
