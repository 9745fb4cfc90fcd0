#!/usr/bin/env bash
# `make demo`: kiosk-platform (SQLite) and kioskd with simulated devices, side by side on
# loopback. Works from any working directory: paths are taken from this checkout. Ctrl-C
# stops both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(swift build --package-path "$root" --show-bin-path)
state="${HOME:-/tmp}/.local/state/kiosk-platform-demo"
mkdir -p "$state"
platform=(--database "$state/platform.db" --catalog "$root/Provisioning/catalog" --calendar "$root/Provisioning/calendar")

port="${PLATFORM_PORT:-8090}"
kiosk_state="${HOME:-/tmp}/.local/state/kiosk-demo"
mkdir -p "$kiosk_state"

"$bin/kiosk-platform" serve --host 127.0.0.1 --port "$port" --workbench-port "${WORKBENCH_PORT:-8091}" "${platform[@]}" \
    --shared-data "$root/Provisioning/examples/shared-data.yaml" --query-services "$root/Provisioning/examples/query-services.yaml" \
    --templates "$root/Provisioning/templates" \
    > >(tee "$state/serve.out") &
platform_pid=$!
trap 'kill "$platform_pid" 2>/dev/null; wait "$platform_pid" 2>/dev/null || true' EXIT INT TERM
# Wait for the platform's "listening" line (its CA and TLS keys are made on the first start).
for _ in $(seq 1 300); do
    grep -q "listening on" "$state/serve.out" 2>/dev/null && break
    kill -0 "$platform_pid" 2>/dev/null || { echo "kiosk-platform did not start" >&2; exit 1; }
    sleep 0.1
done

# The demo kiosk enrols as a technician would, once; again when the platform's CA changed
# (its keys folder was removed).
if ! cmp -s "$kiosk_state/identity/platform-ca.pem" "$state/keys/ca.pem" || [[ ! -s "$kiosk_state/identity/trust.json" ]]; then
    rm -rf "$kiosk_state/identity"
    if "$bin/kiosk-platform" kiosks "${platform[@]}" | grep -q '^DEMO-0001 '; then
        which=(--kiosk DEMO-0001)
    else
        which=(--name DEMO-0001)
    fi
    # The token is the second line of the answer (no JSON tool needed on a fresh machine).
    token=$("$bin/kiosk-platform" token create --site 演示大厅 "${which[@]}" --hours 1 "${platform[@]}" | sed -n 2p)
    "$bin/kioskctl" enroll --platform "https://127.0.0.1:$port/" --token "$token" --state-dir "$kiosk_state"
fi

echo "kiosk-platform: https://127.0.0.1:$port/openapi.yaml (cases: $bin/kiosk-platform cases --database $state/platform.db)"
echo "department workbench: http://127.0.0.1:${WORKBENCH_PORT:-8091}/"
echo "citizen's screen: http://127.0.0.1:8080/"
echo "sync: kioskctl sync status --socket $kiosk_state/admin.sock"
cd "$root"
# The A4 printer (query-and-print certificates) is a private cupsd's PDF queue when this runs
# as root (cups-pdf needs it); its papers land in the folder printed below. Otherwise the A4
# printer is simulated and query-and-print says it cannot print here.
a4=()
if [[ $(id -u) -eq 0 && -x /usr/lib/cups/backend/cups-pdf ]]; then
    # It stops by itself once this script is gone.
    eval "$(KIOSK_CUPS_OWNER=$$ KIOSK_CUPS_LIFETIME=604800 "$root/scripts/cups-test-env.sh" start)"
    a4=(--a4-queue "$KIOSK_TEST_CUPS_PDF_QUEUE")
    echo "A4 printer: CUPS queue $KIOSK_TEST_CUPS_PDF_QUEUE, printed papers in $KIOSK_TEST_CUPS_PDF_DIR"
fi
# In the background and waited for, so that a signal to this script (Ctrl-C, a timeout)
# stops kioskd, the platform and the print system together.
"$bin/kioskd" demo --platform "https://127.0.0.1:$port/" "${a4[@]}" &
kiosk_pid=$!
trap 'kill "$kiosk_pid" "$platform_pid" 2>/dev/null; wait "$kiosk_pid" "$platform_pid" 2>/dev/null || true
    [[ -z "${KIOSK_TEST_CUPS_ENV:-}" ]] || "$root/scripts/cups-test-env.sh" stop "$KIOSK_TEST_CUPS_ENV"' EXIT INT TERM
wait "$kiosk_pid"
