# test/lib.sh: set-up shared by test/run and test/demo.
#
# Starts the RDS emulator and a throwaway PostgreSQL cluster (as an
# unprivileged user) on loopback, with rds_backup preloaded and pointed at
# the emulator.  Everything lives under $RB_TMP and is removed by rb_cleanup.

RB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RB_PY=/usr/bin/python3
RB_PACKAGES="make gcc libc6-dev postgresql-15 postgresql-server-dev-15 postgresql-15-cron libcurl4-openssl-dev libssl-dev libxml2-dev libxml2-utils python3 python3-botocore awscli libipc-run-perl iproute2 util-linux openssl procps"

# Credentials the emulator accepts (test/emulator/README.md); not secrets.
RB_KEY_ID=AKIAEMULATOR00000001
RB_SECRET=emulator/secret/key/0000000000000000001

rb_log() { printf '%s\n' "$*" >&2; }

# Install what is missing (as root), build and install the extension.
rb_install() {
	local missing=()
	local p
	for p in $RB_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		if [ "$(id -u)" -ne 0 ]; then
			rb_log "missing Debian packages: ${missing[*]} (run as root, or install them)"
			return 1
		fi
		rb_log "installing: ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
			return 1
	fi
	make -C "$RB_REPO" -s >&2 || return 1
	if [ -n "${RB_DESTDIR:-}" ]; then
		rb_private_pg && make -C "$RB_REPO" -s install DESTDIR="$RB_DESTDIR" >/dev/null
		return
	fi
	if [ "$(id -u)" -eq 0 ]; then
		make -C "$RB_REPO" -s install >/dev/null || return 1
	else
		sudo -n make -C "$RB_REPO" -s install >/dev/null || return 1
	fi
}

# RB_DESTDIR=/some/dir: install into a private copy of PostgreSQL there
# instead of the system's, so that several work trees can test at once.
rb_private_pg() {
	local lib share
	lib=$(pg_config --pkglibdir)
	share=$(pg_config --sharedir)
	if [ ! -x "$RB_DESTDIR$(pg_config --bindir)/postgres" ]; then
		mkdir -p "$RB_DESTDIR$(dirname "$(dirname "$lib")")" "$RB_DESTDIR$(dirname "$share")"
		cp -a "$(dirname "$lib")" "$RB_DESTDIR$(dirname "$(dirname "$lib")")/"
		cp -a "$share" "$RB_DESTDIR$(dirname "$share")/"
	fi
	# extensions installed since the copy was made (pg_cron): what is missing only
	cp -an "$(dirname "$lib")/." "$RB_DESTDIR$(dirname "$lib")/"
	cp -an "$share/." "$RB_DESTDIR$share/"
}

rb_bindir() {
	echo "${RB_DESTDIR:-}$(pg_config --bindir)"
}

# The unprivileged user that runs PostgreSQL and the emulator.
rb_pick_user() {
	export RB_USER
	if [ "$(id -u)" -eq 0 ]; then
		RB_USER=postgres
		id "$RB_USER" >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql "$RB_USER"
	else
		RB_USER=$(id -un)
	fi
}

rb_as_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$RB_USER" -- "$@"
	else
		"$@"
	fi
}

rb_free_port() {
	$RB_PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Start the emulator; sets RB_EMU_PORT, RB_EMU_URL.
rb_start_emulator() {
	local speed=${1:-}
	mkdir -p "$RB_TMP/emulator"
	chown "$RB_USER" "$RB_TMP/emulator"
	rb_as_user $RB_PY "$RB_REPO/test/emulator/rds_emulator.py" --port 0 \
		--port-file "$RB_TMP/emulator.port" --state-dir "$RB_TMP/emulator" $speed \
		>"$RB_TMP/emulator.log" 2>&1 &
	RB_EMU_PID=$!
	local i
	for i in $(seq 1 100); do
		[ -s "$RB_TMP/emulator.port" ] && break
		sleep 0.1
	done
	if [ ! -s "$RB_TMP/emulator.port" ]; then
		rb_log "emulator did not start:"
		cat "$RB_TMP/emulator.log" >&2
		return 1
	fi
	RB_EMU_PORT=$(cat "$RB_TMP/emulator.port")
	RB_EMU_URL="http://127.0.0.1:$RB_EMU_PORT"
	RDS_EMULATOR_PORT=$RB_EMU_PORT
	export RB_EMU_PORT RB_EMU_URL RDS_EMULATOR_PORT
}

rb_emuctl() {
	$RB_PY "$RB_REPO/test/emulator/emuctl.py" --port "$RB_EMU_PORT" "$@"
}

# rb_cluster DIR PORT CONF ENV...: initdb and start a cluster in DIR with
# extra postgresql.conf lines CONF and server environment ENV (NAME=VALUE).
rb_cluster() {
	local dir=$1 port=$2 conf=$3 bindir
	shift 3
	bindir=$(rb_bindir)
	rb_as_user "$bindir/initdb" -D "$dir" -U "$RB_USER" --auth=trust --no-sync -E UTF8 --locale=C >"$dir.initdb.log" 2>&1 || {
		cat "$dir.initdb.log" >&2
		return 1
	}
	cat >>"$dir/postgresql.conf" <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$RB_TMP'
		port = $port
		fsync = off
		log_line_prefix = '%m [%p] %q%a '
	EOF
	printf '%s\n' "$conf" >>"$dir/postgresql.conf"
	# Everything AWS-ish the server might look at stays on loopback.
	rb_as_user env -i PATH="$PATH" HOME="$RB_TMP" LANG=C \
		AWS_EC2_METADATA_DISABLED=true \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		"$@" \
		"$bindir/pg_ctl" -D "$dir" -l "$dir.log" -w -t 60 start >/dev/null || {
		cat "$dir.log" >&2
		return 1
	}
}

# Start the main test cluster; sets PGHOST, PGPORT, PGDATA, PGUSER, PGDATABASE.
rb_start_postgres() {
	PGDATA=$RB_TMP/data
	PGHOST=$RB_TMP
	PGPORT=$(rb_free_port)
	PGUSER=$RB_USER
	PGDATABASE=postgres
	export PGDATA PGHOST PGPORT PGUSER PGDATABASE
	rb_cluster "$PGDATA" "$PGPORT" "shared_preload_libraries = 'rds_backup'
rds_backup.endpoint = '$RB_EMU_URL'
rds_backup.region = 'us-east-1'
rds_backup.access_key_id = '$RB_KEY_ID'
rds_backup.secret_access_key = '$RB_SECRET'
rds_backup.connect_timeout = '2s'
rds_backup.request_timeout = '10s'
rds_backup.poll_interval = '${RB_POLL_INTERVAL:-500ms}'" AWS_ENDPOINT_URL="$RB_EMU_URL"
	# the server log is where test/run looks for leaked secrets
	ln -sf "$PGDATA.log" "$RB_TMP/postgres.log"
}

rb_setup() {
	RB_TMP=$(mktemp -d /tmp/rds_backup_test.XXXXXX)
	export RB_TMP
	chmod 755 "$RB_TMP"
	rb_pick_user
	chown "$RB_USER" "$RB_TMP"
	trap rb_cleanup EXIT
	rb_start_emulator "$@" && rb_start_postgres
}

rb_cleanup() {
	if [ -n "${PGDATA:-}" ] && [ -f "$PGDATA/postmaster.pid" ]; then
		rb_as_user "$(rb_bindir)/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
	fi
	# runuser does not pass the signal on: stop the emulator by its own pid
	[ -f "$RB_TMP/emulator/pid" ] && kill "$(cat "$RB_TMP/emulator/pid")" 2>/dev/null
	[ -n "${RB_EMU_PID:-}" ] && kill "$RB_EMU_PID" 2>/dev/null
	wait 2>/dev/null
	if [ -n "${RB_KEEP_TMP:-}" ]; then
		rb_log "kept $RB_TMP"
	else
		[ -n "${RB_TMP:-}" ] && rm -rf "$RB_TMP"
	fi
}

# Run the rest of the calling script in a private network namespace where
# only loopback exists, when we can (root); traffic cannot leave the machine.
rb_isolate() {
	if [ -z "${RB_ISOLATED:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
		unshare -n true 2>/dev/null; then
		export RB_ISOLATED=1
		exec unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' "$@"
	fi
}
