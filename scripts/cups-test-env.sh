#!/usr/bin/env bash
# A private print system for the printing tests: its own cupsd on 127.0.0.1 (never the
# system's, never port 631) with its config, spool and logs in a temporary directory, a
# cups-pdf queue that writes each job as a PDF file there, and ippeveprinter (an IPP
# Everywhere printer whose paper can be taken away) behind a second queue.
#
#   scripts/cups-test-env.sh COMMAND [ARG...]   start, run COMMAND with the variables below
#                                               set, stop, exit with COMMAND's status
#   eval "$(scripts/cups-test-env.sh start)"    start and print `export` lines; everything
#                                               stops by itself after KIOSK_CUPS_LIFETIME
#                                               seconds (default 1800) or with `stop DIR`
#   scripts/cups-test-env.sh stop DIR
#
# Variables given to the tests:
#   CUPS_SERVER                 127.0.0.1:PORT of the private cupsd
#   KIOSK_TEST_CUPS_PDF_QUEUE   queue writing PDFs (cups-pdf) into KIOSK_TEST_CUPS_PDF_DIR
#   KIOSK_TEST_IPP_QUEUE        queue printing to ippeveprinter
#   KIOSK_TEST_IPPEVE_URL       http://127.0.0.1:PORT of ippeveprinter (its /media form)
#
# cups-pdf only reads its configuration from /etc/cups (compiled in): a queue with device
# cups-pdf:/NAME reads /etc/cups/cups-pdf-NAME.conf, so one such file, named after this run's
# unique queue, points its output here; it is removed on stop. Needs root (cupsd runs the cups-pdf backend as root).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    echo "cups-test-env: no free port found" >&2
    exit 1
}

wait_for_port() {
    local port=$1 name=$2
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "cups-test-env: $name did not start listening on port $port" >&2
    return 1
}

stop_env() {
    local dir=$1
    [[ -d "$dir" && -f "$dir/.kiosk-cups-test-env" ]] || return 0
    local pids=()
    for pidfile in "$dir"/*.pid; do
        [[ -f "$pidfile" ]] || continue
        pids+=("$(cat "$pidfile")")
        rm -f "$pidfile"
    done
    ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null || true
    # Wait for them to go, so nothing writes into the directory while it is removed.
    for _ in $(seq 1 50); do
        kill -0 "${pids[@]}" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -f "$dir/cups-pdf.conf.path" ]]; then
        rm -f "$(cat "$dir/cups-pdf.conf.path")"
    fi
    rm -rf "$dir"
}

start_env() {
    [[ $(id -u) -eq 0 ]] || {
        echo "cups-test-env: must run as root (cupsd runs the cups-pdf backend as root)" >&2
        exit 1
    }
    for tool in /usr/sbin/cupsd /usr/sbin/lpadmin /usr/sbin/ippeveprinter /usr/lib/cups/backend/cups-pdf /usr/bin/dbus-daemon; do
        [[ -x "$tool" ]] || {
            echo "cups-test-env: $tool missing: run scripts/ensure-packages.sh printing" >&2
            exit 1
        }
    done
    local dir cups_port ipp_port suffix
    dir=$(mktemp -d /tmp/kiosk-cups.XXXXXX)
    chmod 0755 "$dir"
    touch "$dir/.kiosk-cups-test-env"
    mkdir -p "$dir"/{etc/ppd,etc/ssl,spool/tmp,cache,state/certs,log,pdf,cups-pdf-spool,ipp-spool}
    chmod 1777 "$dir/spool/tmp" "$dir/pdf" "$dir/cups-pdf-spool"
    chmod 0710 "$dir/spool"
    chgrp lp "$dir/spool" 2>/dev/null || true
    cups_port=$(free_port)
    ipp_port=$(free_port)
    while [[ "$ipp_port" == "$cups_port" ]]; do ipp_port=$(free_port); done
    suffix=$(basename "$dir" | tr -cd 'A-Za-z0-9')

    cat >"$dir/etc/cupsd.conf" <<EOF
# Private test cupsd: loopback only, no authentication, no browsing.
Listen 127.0.0.1:$cups_port
LogLevel warn
MaxLogSize 0
Browsing No
WebInterface No
DefaultAuthType None
ErrorPolicy retry-job
JobRetryInterval 2
PreserveJobHistory Yes
PreserveJobFiles No
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF
    cat >"$dir/etc/cups-files.conf" <<EOF
ServerRoot $dir/etc
RequestRoot $dir/spool
TempDir $dir/spool/tmp
CacheDir $dir/cache
StateDir $dir/state
ServerBin /usr/lib/cups
DataDir /usr/share/cups
AccessLog $dir/log/access_log
ErrorLog $dir/log/error_log
PageLog $dir/log/page_log
FileDevice No
Sandboxing Relaxed
User lp
Group lp
SystemGroup root
EOF
    /usr/sbin/cupsd -f -c "$dir/etc/cupsd.conf" -s "$dir/etc/cups-files.conf" >"$dir/log/cupsd.out" 2>&1 &
    echo $! >"$dir/cupsd.pid"

    # ippeveprinter insists on a DNS-SD client even with `-r off`, and avahi's client needs a
    # D-Bus system bus: give it a private, empty bus instead of the machine's.
    /usr/bin/dbus-daemon --session --nofork --address="unix:path=$dir/dbus.sock" >"$dir/log/dbus.out" 2>&1 &
    echo $! >"$dir/dbus.pid"
    for _ in $(seq 1 50); do [[ -S "$dir/dbus.sock" ]] && break; sleep 0.1; done

    # ippeveprinter keeps its jobs in its own spool; without -c it only pretends to print.
    DBUS_SYSTEM_BUS_ADDRESS="unix:path=$dir/dbus.sock" \
    /usr/sbin/ippeveprinter -p "$ipp_port" -d "$dir/ipp-spool" -r off -n localhost -k \
        -f application/pdf,image/pwg-raster,image/urf -M Kiosk -m "Test Receipt Printer" \
        "kiosk-ipp-$suffix" >"$dir/log/ippeveprinter.out" 2>&1 &
    echo $! >"$dir/ippeveprinter.pid"

    # Stop by itself: after the lifetime, or when the process that started it is gone.
    local lifetime=${KIOSK_CUPS_LIFETIME:-1800} owner=${KIOSK_CUPS_OWNER:-0}
    (
        trap '' HUP
        end=$((SECONDS + lifetime))
        while ((SECONDS < end)); do
            [[ -d "$dir" ]] || exit 0
            if ((owner > 0)) && ! kill -0 "$owner" 2>/dev/null; then break; fi
            sleep 2
        done
        stop_env "$dir"
    ) </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/watchdog.pid"

    wait_for_port "$cups_port" cupsd || { cat "$dir/log/cupsd.out" "$dir/log/error_log" >&2 2>/dev/null; stop_env "$dir"; exit 1; }
    wait_for_port "$ipp_port" ippeveprinter || { cat "$dir/log/ippeveprinter.out" >&2; stop_env "$dir"; exit 1; }

    local server="127.0.0.1:$cups_port" pdf_queue="kiosk-pdf-$suffix" ipp_queue="kiosk-ipp-$suffix"
    local conf="/etc/cups/cups-pdf-$pdf_queue.conf"
    echo "$conf" >"$dir/cups-pdf.conf.path"
    cat >"$conf" <<EOF
# Written by kiosk scripts/cups-test-env.sh for a test run; removed when it stops.
Out $dir/pdf
AnonDirName $dir/pdf
Spool $dir/cups-pdf-spool
Log $dir/log
Label 1
TitlePref 0
UserUMask 0000
LogType 1
EOF
    # The kiosk's own provisioning script creates the queues, so the tests exercise it.
    "$here/Provisioning/printing/kiosk-print-queue.sh" --server "$server" "$pdf_queue" "cups-pdf:/$pdf_queue" \
        /usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd >"$dir/log/queues.out" 2>&1 \
        || { cat "$dir/log/queues.out" >&2; stop_env "$dir"; exit 1; }
    "$here/Provisioning/printing/kiosk-print-queue.sh" --server "$server" "$ipp_queue" \
        "ipp://localhost:$ipp_port/ipp/print" everywhere >>"$dir/log/queues.out" 2>&1 \
        || { cat "$dir/log/queues.out" >&2; stop_env "$dir"; exit 1; }

    cat >"$dir/env" <<EOF
export CUPS_SERVER=$server
export KIOSK_TEST_CUPS_ENV=$dir
export KIOSK_TEST_CUPS_PDF_QUEUE=$pdf_queue
export KIOSK_TEST_CUPS_PDF_DIR=$dir/pdf
export KIOSK_TEST_IPP_QUEUE=$ipp_queue
export KIOSK_TEST_IPPEVE_URL=http://localhost:$ipp_port
EOF
    echo "$dir"
}

case "${1:-}" in
    "" | -h | --help)
        sed -n '2,22p' "$0"
        exit 2
        ;;
    start)
        dir=$(start_env)
        cat "$dir/env"
        ;;
    stop)
        stop_env "${2:?usage: cups-test-env.sh stop DIR}"
        ;;
    *)
        export KIOSK_CUPS_OWNER=$$
        if [[ $(id -u) -ne 0 ]]; then
            # Without root the cups-pdf backend cannot run: the CUPS tests skip, saying why.
            echo "cups-test-env: not root, running without a private cupsd (CUPS tests will be skipped)" >&2
            exec "$@"
        fi
        dir=$(start_env)
        trap 'stop_env "$dir"' EXIT INT TERM
        # shellcheck disable=SC1091
        source "$dir/env"
        echo "cups-test-env: cupsd on $CUPS_SERVER, queues $KIOSK_TEST_CUPS_PDF_QUEUE and $KIOSK_TEST_IPP_QUEUE" >&2
        set +e
        "$@"
        status=$?
        exit $status
        ;;
esac
