#!/usr/bin/python3
"""Query-and-print benchmark for `make bench` (kiosk-bench's `certificate` group).

Sets up, on loopback: a kiosk-platform (SQLite, mutual TLS) with the demo query services, a
kioskd enrolled into it as a technician would (`token create`, `kioskctl enroll`), whose A4
printer is the test cupsd's cups-pdf queue (`KIOSK_TEST_CUPS_PDF_QUEUE`, from
scripts/cups-test-env.sh). Then, --samples times: card placed → consent → certificate fully
printed (the CUPS job completed), through the local API as the screen drives it. Baseline in
the same run: `lp` of the printed certificate's PDF to the same queue, until its job completed.
Prints one `BENCH {json}` line.
"""
import argparse
import glob
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Session-Token"] = token
    data = json.dumps(body).encode() if body is not None else (b"{}" if method == "POST" else None)
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data, method=method, headers=headers), timeout=15) as r:
        return json.load(r)


def wait(what, condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:
            pass
        time.sleep(0.01)
    raise SystemExit(f"certificate_bench: {what} not within {seconds} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binaries", required=True)
    parser.add_argument("--checkout", required=True)
    parser.add_argument("--samples", type=int, default=20)
    options = parser.parse_args()
    queue = os.environ["KIOSK_TEST_CUPS_PDF_QUEUE"]
    pdf_dir = os.environ["KIOSK_TEST_CUPS_PDF_DIR"]
    root = options.checkout
    work = tempfile.mkdtemp(prefix="certificate-bench-")
    processes = []
    try:
        platform_port, kiosk_port = free_port(), free_port()
        common = ["--database", f"{work}/platform.db", "--catalog", f"{root}/Provisioning/catalog",
                  "--calendar", f"{root}/Provisioning/calendar"]
        made = subprocess.run([f"{options.binaries}/kiosk-platform", "token", "create", "--site", "bench", "--name", "BENCH-Q",
                               "--json"] + common, capture_output=True, text=True, check=True)
        token = json.loads(made.stdout)["token"]
        platform = subprocess.Popen(
            [f"{options.binaries}/kiosk-platform", "serve", "--port", str(platform_port), "--workbench-port=-1",
             "--query-services", f"{root}/Provisioning/examples/query-services.yaml", "--templates", f"{root}/Provisioning/templates"]
            + common, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(platform)
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        wait("kiosk-platform", lambda: urllib.request.urlopen(
            f"https://127.0.0.1:{platform_port}/openapi.yaml", context=insecure, timeout=2).status == 200)
        subprocess.run([f"{options.binaries}/kioskctl", "enroll", "--platform", f"https://127.0.0.1:{platform_port}/", "--token", token,
                        "--state-dir", f"{work}/state"], capture_output=True, check=True)
        with open(f"{work}/kiosk.yaml", "w") as config:
            config.write(f"""kiosk:
  id: BENCH-Q
paths:
  state_dir: {work}/state
  admin_socket: {work}/admin.sock
  admin_group: ""
  profiles_dir: {root}/Devices
  catalog_dir: {root}/Provisioning/catalog
  calendar_dir: {root}/Provisioning/calendar
  templates_dir: {root}/Provisioning/templates
  screen_dir: {root}/Provisioning/screen
api:
  port: {kiosk_port}
session:
  receipt_printer: printer
devices:
  - id: idcard
    kind: idcard
    simulate: true
  - id: printer
    kind: printer
    queue: {queue}
sync:
  platform: https://127.0.0.1:{platform_port}/
  interval_seconds: 1
""")
        kiosk = subprocess.Popen([f"{options.binaries}/kioskd", "demo", "--config", f"{work}/kiosk.yaml"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(kiosk)
        base = f"http://127.0.0.1:{kiosk_port}"

        def offered():
            offer = request(base, "GET", "/api/v1/offer")
            return offer.get("online") and any(s["id"] == "no-criminal-record" for s in offer.get("queryServices", []))
        wait("the kiosk to offer the platform's services", offered, 90)

        def visit():
            request(base, "POST", "/api/v1/demo/card/lift")
            session = request(base, "POST", "/api/v1/services/no-criminal-record")["token"]
            placed = time.monotonic()
            request(base, "POST", "/api/v1/demo/card/place/resident-id")
            wait("the consent step", lambda: request(base, "GET", "/api/v1/session", token=session)["step"] == "query_consent", 20)
            request(base, "POST", "/api/v1/session/query/consent", token=session)
            state = {}

            def ended():
                state.update(request(base, "GET", "/api/v1/session", token=session).get("certificate") or {})
                return state.get("state") in ("printed", "failed", "refused", "unreachable")
            wait("the certificate printed", ended, 60)
            elapsed = time.monotonic() - placed
            request(base, "POST", "/api/v1/session/end", token=session)
            if state.get("state") != "printed":
                raise SystemExit(f"certificate_bench: the certificate was not printed: {state}")
            return elapsed * 1000

        visit()  # warm-up: the first TLS handshake, fontconfig, the queue's first job
        ours = [visit() for _ in range(options.samples)]

        printed = sorted(glob.glob(f"{pdf_dir}/**/*.pdf", recursive=True), key=os.path.getmtime)
        if not printed:
            raise SystemExit("certificate_bench: cups-pdf wrote no PDF")
        sample = f"{work}/certificate.pdf"
        shutil.copy(printed[-1], sample)

        def lp():
            started = time.monotonic()
            answer = subprocess.run(["lp", "-d", queue, "-t", "bench-lp", sample], capture_output=True, text=True, check=True).stdout
            job = answer.split("request id is ")[1].split()[0]
            wait("lp's job to complete", lambda: job not in subprocess.run(["lpstat", "-o", queue], capture_output=True, text=True).stdout,
                 60)
            return (time.monotonic() - started) * 1000

        lp()
        baseline = [lp() for _ in range(options.samples)]
        print("BENCH " + json.dumps({"oursMs": ours, "lpMs": baseline}), flush=True)
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
        # The certificates printed hold an invented person, but a bench leaves no paper behind.
        for pdf in glob.glob(f"{pdf_dir}/**/*.pdf", recursive=True):
            os.remove(pdf)


if __name__ == "__main__":
    sys.exit(main())
