#!/usr/bin/env bash
# The baseline of the platform's ingest benchmark: pgbench on the private PostgreSQL of
# scripts/postgres-test-env.sh, 100 clients, each transaction the platform's durable inserts
# for one case without the platform (a case row with a 2 KB payload and its 7 work items).
# Exports the figure as KIOSK_BENCH_PGBENCH_TPS and runs the command after it.
# Usage: pgbench-baseline.sh COMMAND...
set -euo pipefail
: "${KIOSK_TEST_POSTGRES_URL:?run under scripts/postgres-test-env.sh}"
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
clients=${PLATFORM_BENCH_KIOSKS:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
database="pgbench_$$"
"$bin/psql" "$KIOSK_TEST_POSTGRES_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database" </dev/null
url="${KIOSK_TEST_POSTGRES_URL%/*}/$database"
"$bin/psql" "$url" -q -v ON_ERROR_STOP=1 </dev/null -c "
    CREATE TABLE bench_case (seq BIGSERIAL PRIMARY KEY, case_id TEXT NOT NULL UNIQUE, sealed BYTEA NOT NULL,
        stored_at TIMESTAMPTZ NOT NULL);
    CREATE TABLE bench_item (case_id TEXT NOT NULL REFERENCES bench_case(case_id), item INT NOT NULL, stage TEXT NOT NULL,
        PRIMARY KEY (case_id, item));"
cat > "$work/case.sql" <<'SQL'
WITH c AS (
    INSERT INTO bench_case (case_id, sealed, stored_at)
    VALUES (gen_random_uuid()::text, decode(repeat('ab', 2048), 'hex'), now()) ON CONFLICT (case_id) DO NOTHING RETURNING case_id)
INSERT INTO bench_item (case_id, item, stage) SELECT c.case_id, i, 'received' FROM c, generate_series(1, 7) i;
SQL
echo "pgbench-baseline: $clients clients, 10 s of case inserts" >&2
output=$("$bin/pgbench" -n -c "$clients" -j 2 -T 10 -f "$work/case.sql" "$url" </dev/null 2>&1) || { echo "$output" >&2; exit 1; }
tps=$(echo "$output" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
[[ -n "$tps" ]] || { echo "pgbench-baseline: no tps in: $output" >&2; exit 1; }
echo "pgbench-baseline: $tps transactions/s" >&2
export KIOSK_BENCH_PGBENCH_TPS="$tps"
"$@"
