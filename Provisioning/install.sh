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
apt-get install -y -qq --no-install-recommends libusb-1.0-0 libcups2 libsqlite3-0 cups \
    libcairo2 libpango-1.0-0 libpangocairo-1.0-0 libqrencode4 fonts-wqy-microhei fonts-noto-cjk \
    libzinnia0 tegaki-zinnia-simplified-chinese espeak-ng cage chromium

if [[ "${1:-}" != "--no-build" ]]; then
    (cd "$repository" && "$repository/scripts/ensure-packages.sh" build && swift build -c release --product kioskd && swift build -c release --product kioskctl)
fi
bin="$repository/.build/release"

# CUPS keeps each printed document for a day by default: certificates and results printed for
# citizens must go with their job (kioskctl doctor checks it).
if grep -qi '^PreserveJobFiles' /etc/cups/cupsd.conf; then
    sed -i 's/^PreserveJobFiles.*/PreserveJobFiles No/I' /etc/cups/cupsd.conf
else
    echo 'PreserveJobFiles No' >>/etc/cups/cupsd.conf
fi
[[ -d /run/systemd/system ]] && systemctl restart cups || true

getent group kiosk >/dev/null || groupadd --system kiosk
getent passwd kiosk >/dev/null || useradd --system --gid kiosk --home-dir /var/lib/kiosk --shell /usr/sbin/nologin kiosk
# The screen's browser runs as its own user, outside the kiosk group (no access to the database).
getent passwd kiosk-screen >/dev/null || useradd --system --user-group --groups video,input,render --home-dir /run/kiosk-screen --shell /usr/sbin/nologin kiosk-screen

install -m 0755 "$bin/kioskd" /usr/bin/kioskd
install -m 0755 "$bin/kioskctl" /usr/bin/kioskctl
install -d -m 0755 /usr/share/kiosk/devices
cp -r "$repository/Devices/." /usr/share/kiosk/devices/
install -d -m 0750 -o kiosk -g kiosk /var/lib/kiosk
# The screen and the document templates ship with the software; the catalog and calendar
# are site data: installed once, then updated by the province, never overwritten here.
for folder in screen templates; do
    install -d -m 0755 "/usr/share/kiosk/$folder"
    cp -r "$here/$folder/." "/usr/share/kiosk/$folder/"
done
for folder in catalog calendar; do
    [[ -d "/var/lib/kiosk/$folder" ]] || { cp -r "$here/$folder" "/var/lib/kiosk/$folder"; chown -R kiosk:kiosk "/var/lib/kiosk/$folder"; }
done
install -d -m 0755 /etc/kiosk
[[ -f /etc/kiosk/kiosk.yaml ]] || install -m 0640 -g kiosk "$here/config/kiosk.yaml" /etc/kiosk/kiosk.yaml
/usr/bin/kioskctl config validate /etc/kiosk/kiosk.yaml

install -m 0644 "$here/systemd/kioskd.service" /etc/systemd/system/kioskd.service
install -m 0644 "$here/systemd/kiosk-screen.service" /etc/systemd/system/kiosk-screen.service
install -m 0644 "$here/udev/70-kiosk-devices.rules" /etc/udev/rules.d/70-kiosk-devices.rules
if [[ -d /run/systemd/system ]]; then
    udevadm control --reload && udevadm trigger || true
    systemctl daemon-reload
    systemctl enable --now kioskd.service
    systemctl enable kiosk-screen.service
    systemctl set-default graphical.target
    systemctl start kiosk-screen.service || echo "kiosk-screen did not start (no display?): see journalctl -u kiosk-screen"
    echo "kioskd installed and started: check it with 'kioskctl doctor'"
else
    echo "kioskd installed; systemd is not running here, start it with 'systemctl enable --now kioskd' on the kiosk"
fi
