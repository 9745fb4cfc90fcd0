#!/usr/bin/python3
"""Screen benchmarks for `make bench` (run by kiosk-bench's `screen` group).

- Card to form: from the simulated reader getting the card to the prefilled form visible in
  headless Chromium, over --samples visits; baseline: the same visits watched through the
  local API by polling (no browser), in the same run.
- Event to DOM: the daemon's session events to the redrawn page (window.kioskMetrics).
- A scripted citizen completing 新生儿出生 (screen_e2e.py without the idle wait).
Prints one `BENCH {json}` line.
"""
import argparse
import json
import os
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import screen_e2e  # noqa: E402


def request(base, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Session-Token"] = token
    data = json.dumps(body).encode() if body is not None else (b"{}" if method == "POST" else None)
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data, method=method, headers=headers), timeout=10) as r:
        return json.load(r)


def api_card_to_form(base):
    request(base, "POST", "/api/v1/demo/card/lift")
    token = request(base, "POST", "/api/v1/session", {"bundle": "newborn"})["token"]
    request(base, "POST", "/api/v1/session/answer", {"question": "parent", "answer": "father"}, token=token)
    request(base, "POST", "/api/v1/session/notice", token=token)
    placed = time.monotonic()
    request(base, "POST", "/api/v1/demo/card/place/resident-id")
    while request(base, "GET", "/api/v1/session", token=token)["step"] != "form":
        if time.monotonic() - placed > 10:
            raise SystemExit("the form never came through the API")
    elapsed = (time.monotonic() - placed) * 1000
    request(base, "POST", "/api/v1/session/end", token=token)
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--samples", type=int, default=20)
    arguments = parser.parse_args()
    base = arguments.url
    profile = tempfile.mkdtemp(prefix="kiosk-bench-chromium-")
    screen = screen_e2e.Screen(base, tempfile.mkdtemp(prefix="kiosk-bench-shots-"), profile)
    browser = []
    try:
        screen.driver.get(base + "/")
        screen.wait(lambda: screen.find("[data-bundle=newborn]"), 20, "the attract screen")
        for _ in range(arguments.samples):
            screen_e2e.post(base, "/api/v1/demo/card/lift")
            screen_e2e.newborn_to_card(screen)
            placed = time.monotonic()
            screen_e2e.post(base, "/api/v1/demo/card/place/resident-id")
            screen.wait(lambda: screen.step() == "form" and "林*明" in screen.text(), 10, "the prefilled form")
            browser.append((time.monotonic() - placed) * 1000)
            screen.tap("[data-action=end]")
            screen.at("attract")
        lags = screen.metrics()["eventToDom"]
    finally:
        screen.driver.quit()
    api = [api_card_to_form(base) for _ in range(arguments.samples)]
    screen_e2e.post(base, "/api/v1/demo/card/lift")

    # One scripted citizen, start to rating.
    import io
    import contextlib
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        screen_e2e.main(["--url", base, "--screenshots", tempfile.mkdtemp(prefix="kiosk-bench-shots-"), "--skip-idle"])
    citizen = {}
    for line in output.getvalue().splitlines():
        if line.startswith("RESULT "):
            citizen = json.loads(line[7:])
    print("BENCH " + json.dumps({
        "cardToFormBrowserMs": browser, "cardToFormAPIMs": api, "eventToDomMs": lags,
        "citizenTouches": citizen.get("touches"), "citizenSeconds": citizen.get("kioskSeconds"),
        "citizenFailures": citizen.get("failures"),
    }), flush=True)


if __name__ == "__main__":
    main()
