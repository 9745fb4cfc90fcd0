#!/usr/bin/env bash
# Installs the Debian packages a make target needs, only those missing, so that `make demo`
# and `make test` work on a fresh Debian machine. Usage: ensure-packages.sh GROUP...
set -euo pipefail

declare -A groups=(
    # Handwriting: Zinnia and its simplified-Chinese model (tegaki). Spoken guidance: espeak-ng
    # (its Mandarin voice is in espeak-ng-data). The receipt's names: a CJK font with every
    # character of the 通用规范汉字表 (Noto Sans CJK; WenQuanYi lacks 276 of them).
    [build]="libusb-1.0-0-dev libcups2-dev libsqlite3-dev pkg-config libcairo2-dev libpango1.0-dev libqrencode-dev libzinnia-dev tegaki-zinnia-simplified-chinese espeak-ng fonts-noto-cjk"
    # sox measures the spoken prompts (not silent, a plausible length).
    [test]="sqlite3 util-linux procps curl iproute2 iptables sox"
    [bench]="sqlite3 procps curl"
    # kiosk-platform at scale: a real PostgreSQL server (initdb and pg_ctl in a temporary folder).
    [platform]="postgresql python3 python3-venv"
    # Printing: the document renderer's libraries, a real cupsd with a PDF queue, an IPP
    # Everywhere printer to fail on purpose, pdftotext to read PDFs back, and a CJK font.
    # The citizen's screen end to end: headless Chromium driven by Selenium (Debian's own
    # packages of both), and a CJK font for the screenshots.
    [screen]="chromium chromium-driver python3-selenium fonts-wqy-microhei fonts-noto-cjk fontconfig"
    [printing]="libcairo2-dev libpango1.0-dev libqrencode-dev libcups2-dev cups cups-client cups-bsd printer-driver-cups-pdf cups-ipp-utils dbus-daemon poppler-utils zbar-tools fonts-wqy-microhei fonts-noto-cjk fontconfig"
)

wanted=()
for group in "$@"; do
    [[ -n "${groups[$group]+x}" ]] || { echo "ensure-packages: unknown group '$group'" >&2; exit 2; }
    for package in ${groups[$group]}; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || wanted+=("$package")
    done
done
((${#wanted[@]})) || exit 0

echo "Installing missing Debian packages: ${wanted[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# A stale or empty package list makes install fail on a fresh machine: update once first.
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${wanted[@]}"
