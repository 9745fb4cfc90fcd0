#!/usr/bin/python3
"""The offline policy on the citizen's screen, in headless Chromium.

Run twice by the Swift test "Past an offline limit the attract screen closes applications…":

- `--expect closed`: the kiosk has passed a limit. Before anyone starts, the attract screen says
  so in plain Chinese with where to go instead; no bundle can be started by tapping it; the
  progress lookup still opens.
- `--expect open`: the platform is back. Without reloading, the screen lifts the notice within
  the wait, and a bundle starts again.

Prints one `FAIL: ...` line per failed check; exits 1 if any.
"""
import argparse
import os
import json
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from screen_e2e import check, run_scenario  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


def start_bundle(base, bundle):
    request = urllib.request.Request(base + "/api/v1/session", data=json.dumps({"bundle": bundle}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def tiles_disabled(screen):
    # Read in one script: the screen re-renders on events, and an element found a moment
    # earlier may be gone by the time it is asked.
    return screen.driver.execute_script("return [...document.querySelectorAll('[data-bundle]')].map((b) => b.disabled)")


def notice(screen):
    return screen.driver.execute_script("const n = document.getElementById('intake-notice'); return n ? n.textContent : null")


def closed(screen, shots):
    screen.at("attract")
    screen.wait(lambda: notice(screen), 30, "the attract screen's notice that applications are closed")
    text = notice(screen) or ""
    check("暂停受理" in text and "尚未上传" in text, f"the notice says new applications are paused, and why: {text!r}")
    check("查询办件进度" in text and "政务服务大厅" in text, f"the notice says what still works and where to go: {text!r}")
    badge = screen.driver.find_element(By.ID, "network").text
    check("可正常收件" not in badge, f"the header still says applications are received normally: {badge!r}")
    disabled = tiles_disabled(screen)
    check(len(disabled) >= 21, f"all bundles are still listed ({len(disabled)})")
    check(all(disabled), "every bundle tile is disabled")
    screen.shot("offline-closed")
    # A tap on a bundle goes nowhere, and the kiosk itself refuses to start one: the citizen
    # never begins what cannot be received.
    screen.driver.execute_script("document.querySelector('[data-bundle]').click()")
    check(screen.step() == "attract", f"a tap on a disabled bundle left the attract screen (step {screen.step()})")
    status, body = start_bundle(screen.base, "newborn")
    check(status >= 400 and "暂停受理" in body, f"the kiosk started a bundle while closed ({status} {body[:200]})")
    # Progress lookup and reprints go on.
    screen.tap("[data-action=progress]")
    screen.at("progress_card")
    screen.tap("[data-action=end]")
    screen.at("attract")


def open_for_applications(screen):
    disabled = tiles_disabled(screen)
    return notice(screen) is None and len(disabled) > 0 and not any(disabled)


def reopened(screen, shots):
    screen.at("attract")
    screen.wait(lambda: open_for_applications(screen), 90, "the notice to lift once the platform is back")
    screen.shot("offline-reopened")
    screen.tap("[data-bundle=newborn]")
    screen.at("notice")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--expect", choices=["closed", "open"], required=True)
    options = parser.parse_args()
    step = closed if options.expect == "closed" else reopened
    run_scenario(options.url, options.screenshots, "offline-e2e", lambda screen: step(screen, options.screenshots))

if __name__ == "__main__":
    main()
