#!/usr/bin/env bash
# Contract conformance: schemathesis (PyPI) sends every operation of the sync contract, with a
# valid kiosk credential, to a real kiosk-platform on 127.0.0.1, and checks that nothing answers
# 5xx and every answer matches the document (status, content type, headers, body schema), that
# a method outside the contract gets 405 with Allow, and that no operation works without the
# credential. Bounded in examples and time for CI.
# Usage: contract-conformance.sh BINARY_DIR [sqlite|postgres]...  (postgres needs KIOSK_TEST_POSTGRES_URL)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
shift
examples=${CONFORMANCE_EXAMPLES:-40}
venv="$root/.build/conformance-venv"
if [[ ! -x "$venv/bin/st" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
work=$(mktemp -d)
server=""
cleanup() {
    [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
status=0
for storage in "$@"; do
    case "$storage" in
        sqlite) database="$work/platform.db" ;;
        postgres) database="${KIOSK_TEST_POSTGRES_URL:?postgres needs scripts/postgres-test-env.sh}" ;;
        *) echo "contract-conformance: unknown storage '$storage'" >&2; exit 2 ;;
    esac
    options=(--database "$database" --catalog "$root/Provisioning/catalog" --calendar "$root/Provisioning/calendar")
    credential=$("$bin/kiosk-platform" kiosk add "CONFORMANCE-$storage-$$" --json "${options[@]}" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["credential"])')
    "$bin/kiosk-platform" serve --host 127.0.0.1 --port 0 --workbench-port 0 "${options[@]}" > "$work/serve.log" 2>&1 &
    server=$!
    # The platform prints its address once it listens.
    for _ in $(seq 300); do
        grep -q "listening on" "$work/serve.log" && break
        kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
        sleep 0.1
    done
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$')
    echo "contract-conformance: $storage on 127.0.0.1:$port, $examples examples per operation"
    PYTHONPATH="$root/scripts" SCHEMATHESIS_HOOKS=conformance_hooks timeout 600 "$venv/bin/st" run "http://127.0.0.1:$port/openapi.yaml" --url "http://127.0.0.1:$port/sync/v1" \
        -H "Authorization: Bearer $credential" --max-examples "$examples" --seed 20261130 --generation-database none \
        --max-response-time 5 \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,unsupported_method,allow_header_conformance,ignored_auth,missing_required_header \
        || status=1
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=""
done
exit $status
