#!/usr/bin/env bash
# Creates or updates a kiosk's CUPS print queue with a non-stopping error policy.
#
#   kiosk-print-queue.sh [--server HOST:PORT] [--policy retry-job|retry-current-job|abort-job]
#                        NAME DEVICE-URI (everywhere | PPD-FILE)
#   kiosk-print-queue.sh [--server HOST:PORT] --cupsd-defaults
#
# CUPS' default error policy, stop-printer, disables a queue after one backend failure (a
# printer switched off overnight) and leaves it disabled until someone runs cupsenable: an
# unattended kiosk would stop printing receipts for good. Kiosk queues retry instead
# (retry-job); kioskd follows every job and falls back to the screen when one does not end.
# --cupsd-defaults also makes retry-job the server-wide default, with a 30 s retry interval.
set -euo pipefail

server=()
policy=retry-job
defaults=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --server) server=(-h "$2"); shift 2 ;;
        --policy) policy=$2; shift 2 ;;
        --cupsd-defaults) defaults=1; shift ;;
        -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
        *) break ;;
    esac
done

case "$policy" in
    retry-job | retry-current-job | abort-job) ;;
    *) echo "kiosk-print-queue: policy must be retry-job, retry-current-job or abort-job (never stop-printer)" >&2; exit 2 ;;
esac

if ((defaults)); then
    cupsctl "${server[@]}" ErrorPolicy="$policy" JobRetryInterval=30 JobRetryLimit=20
    [[ $# -eq 0 ]] && exit 0
fi

[[ $# -eq 3 ]] || { sed -n '2,14p' "$0" >&2; exit 2; }
name=$1 uri=$2 model=$3
[[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "kiosk-print-queue: queue name '$name' may only use letters, digits, _ . -" >&2; exit 2; }

if [[ "$model" == everywhere ]]; then
    driver=(-m everywhere)
else
    [[ -r "$model" ]] || { echo "kiosk-print-queue: PPD file '$model' not found" >&2; exit 2; }
    driver=(-P "$model")
fi

# -E after -p enables the queue and makes it accept jobs. PostScript queues convert our PDFs
# with pdftocairo, which keeps the CJK text as text (Ghostscript, the default, turns it into
# outlines; poppler's pdftops drops the Unicode mapping).
lpadmin "${server[@]}" -p "$name" -E -v "$uri" "${driver[@]}" \
    -o printer-error-policy="$policy" -o printer-is-shared=false -o pdftops-renderer-default=pdftocairo
echo "kiosk-print-queue: queue '$name' → $uri, error policy $policy"
