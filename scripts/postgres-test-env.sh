#!/usr/bin/env bash
# Runs a command beside a private PostgreSQL: initdb and pg_ctl in a temporary folder, the
# server on 127.0.0.1 at a free port, its address exported as KIOSK_TEST_POSTGRES_URL. The
# server is stopped and the folder removed when the command ends, also when it fails.
# Usage: postgres-test-env.sh COMMAND...
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$bin/initdb" ]] || { echo "postgres-test-env: PostgreSQL is not installed (scripts/ensure-packages.sh platform)" >&2; exit 2; }
dir=$(mktemp -d /tmp/kiosk-postgres.XXXXXX)
chmod 755 "$dir"
as_owner=()
# initdb refuses to run as root: the cluster belongs to the postgres user on these machines.
if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$dir"
    as_owner=(runuser -u postgres --)
fi
stop() {
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U kiosk --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
export KIOSK_TEST_POSTGRES_URL="postgres://kiosk@127.0.0.1:$port/postgres"
echo "postgres-test-env: PostgreSQL on 127.0.0.1:$port"
"$@"
