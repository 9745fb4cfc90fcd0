#!/usr/bin/env bash
# Contract conformance: schemathesis (PyPI) sends every operation of the sync contract, over
# mutual TLS as an enrolled kiosk (a token, then kioskctl enroll, as a technician would), to a
# real kiosk-platform on 127.0.0.1, and checks that nothing answers 5xx and every answer
# matches the document (status, content type, headers, body schema), and that a method
# outside the contract gets 405 with Allow; every operation without the kiosk's certificate
# must answer 401. Bounded in examples and time for CI.
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
    options=(--database "$database" --keys "$work/keys-$storage" --catalog "$root/Provisioning/catalog" --calendar "$root/Provisioning/calendar")
    token=$("$bin/kiosk-platform" token create --site conformance --name "CONFORMANCE-$storage-$$" --json "${options[@]}" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
    "$bin/kiosk-platform" serve --host 127.0.0.1 --port 0 --workbench-port 0 "${options[@]}" \
        > "$work/serve.log" 2>&1 &
    server=$!
    # The platform prints its address once it listens.
    for _ in $(seq 300); do
        grep -q "listening on" "$work/serve.log" && break
        kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
        sleep 0.1
    done
    port=$(grep -o 'listening on https://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$')
    kiosk="$work/kiosk-$storage"
    "$bin/kioskctl" enroll --platform "https://127.0.0.1:$port/" --token "$token" --state-dir "$kiosk" > /dev/null
    identity="$kiosk/identity"
    echo "contract-conformance: $storage on 127.0.0.1:$port over mutual TLS, $examples examples per operation"
    PYTHONPATH="$root/scripts" SCHEMATHESIS_HOOKS=conformance_hooks timeout 600 "$venv/bin/st" run "$root/Sources/KioskSyncAPI/openapi.yaml" \
        --url "https://127.0.0.1:$port/sync/v1" \
        --tls-verify "$identity/platform-ca.pem" --request-cert "$identity/certificate.pem" --request-cert-key "$identity/device-key.pem" \
        --max-examples "$examples" --seed 20261130 --generation-database none \
        --max-response-time 5 \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,unsupported_method,allow_header_conformance,missing_required_header \
        || status=1
    # Without the kiosk's certificate, nothing: every operation answers 401.
    for request in "GET /sync/v1/changes" "POST /sync/v1/cases" "POST /sync/v1/heartbeats" "POST /sync/v1/ratings" "POST /sync/v1/attachments"; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$identity/platform-ca.pem" -X "${request% *}" \
            -H 'Content-Type: application/json' --data-binary '{}' "https://127.0.0.1:$port${request#* }")
        if [[ "$code" != 401 ]]; then
            echo "contract-conformance: $request without a certificate answered $code, not 401" >&2
            status=1
        fi
    done
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=""
done
exit $status
