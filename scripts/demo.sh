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

# The demo kiosk's credential is made once and kept beside the platform's database.
if [[ ! -s "$state/DEMO-0001.credential" ]]; then
    # The credential is the last word of its line (no JSON tool needed on a fresh machine).
    "$bin/kiosk-platform" kiosk add DEMO-0001 "${platform[@]}" \
        | awk '/^credential/ { print $NF }' > "$state/DEMO-0001.credential"
    chmod 600 "$state/DEMO-0001.credential"
fi

"$bin/kiosk-platform" serve --host 127.0.0.1 --port "${PLATFORM_PORT:-8090}" --workbench-port "${WORKBENCH_PORT:-8091}" "${platform[@]}" &
platform_pid=$!
trap 'kill "$platform_pid" 2>/dev/null; wait "$platform_pid" 2>/dev/null || true' EXIT INT TERM
echo "kiosk-platform: http://127.0.0.1:${PLATFORM_PORT:-8090}/openapi.yaml (cases: $bin/kiosk-platform cases --database $state/platform.db)"
echo "department workbench: http://127.0.0.1:${WORKBENCH_PORT:-8091}/"
echo "citizen's screen: http://127.0.0.1:8080/"
echo "sync: kioskctl sync status --socket ~/.local/state/kiosk-demo/admin.sock"
cd "$root"
"$bin/kioskd" demo --platform "http://127.0.0.1:${PLATFORM_PORT:-8090}/" --platform-credential "$state/DEMO-0001.credential"
