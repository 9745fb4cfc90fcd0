#!/usr/bin/env bash
# Installs kioskd and kioskctl on a Debian kiosk: binaries, systemd unit, udev rules, the
# service user and group, the configuration and the device profiles.
# Usage (as root, from the repository): Provisioning/install.sh [--no-build]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repository="$(dirname "$here")"
[[ $(id -u) -eq 0 ]] || { echo "install.sh: run as root" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends libusb-1.0-0 libcups2 libsqlite3-0 cups

if [[ "${1:-}" != "--no-build" ]]; then
    (cd "$repository" && "$repository/scripts/ensure-packages.sh" build && swift build -c release --product kioskd && swift build -c release --product kioskctl)
fi
bin="$repository/.build/release"

getent group kiosk >/dev/null || groupadd --system kiosk
getent passwd kiosk >/dev/null || useradd --system --gid kiosk --home-dir /var/lib/kiosk --shell /usr/sbin/nologin kiosk

install -m 0755 "$bin/kioskd" /usr/bin/kioskd
install -m 0755 "$bin/kioskctl" /usr/bin/kioskctl
install -d -m 0755 /usr/share/kiosk/devices
cp -r "$repository/Devices/." /usr/share/kiosk/devices/
install -d -m 0750 -o kiosk -g kiosk /var/lib/kiosk
install -d -m 0755 /etc/kiosk
[[ -f /etc/kiosk/kiosk.yaml ]] || install -m 0640 -g kiosk "$here/config/kiosk.yaml" /etc/kiosk/kiosk.yaml
/usr/bin/kioskctl config validate /etc/kiosk/kiosk.yaml

install -m 0644 "$here/systemd/kioskd.service" /etc/systemd/system/kioskd.service
install -m 0644 "$here/udev/70-kiosk-devices.rules" /etc/udev/rules.d/70-kiosk-devices.rules
if [[ -d /run/systemd/system ]]; then
    udevadm control --reload && udevadm trigger || true
    systemctl daemon-reload
    systemctl enable --now kioskd.service
    echo "kioskd installed and started: check it with 'kioskctl doctor'"
else
    echo "kioskd installed; systemd is not running here, start it with 'systemctl enable --now kioskd' on the kiosk"
fi
