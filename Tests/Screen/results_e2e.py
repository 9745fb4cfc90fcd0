#!/usr/bin/python3
"""统一出件 on the citizen's screen, in headless Chromium: a finished item's result collected.

Run by the Swift test "Results collected at the kiosk (real kioskd, kiosk-platform and cupsd)":

- `--expect printed`: the platform is up. 查询办理进度, the card, and the item finished with a
  result says where it goes (自助终端打印) with a print button; a tap prints it, the screen
  follows the job to "printed", and ending the visit wipes it.
- `--expect offline`: the platform is down. The same visit shows the result from what the kiosk
  stored; a tap on print says at once, in plain words, that the platform cannot be reached and
  where else to collect it. The citizen is never held.

Prints one `FAIL: ...` line per failed check; exits 1 if any.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from screen_e2e import check, end_visit, post, run_scenario  # noqa: E402

ITEM = "birth_certificate"
RESULT = f"[data-result={ITEM}]"
PRINT = f"{RESULT} [data-action=print-result]"


def body(screen):
    # The screen only: the demo panel beside it lists the sample cards by name.
    return screen.driver.execute_script("return document.getElementById('screen').innerText")


def result_state(screen):
    # Read in one script: the page re-renders on every change, an element found may go stale.
    return screen.driver.execute_script(
        "const r = document.querySelector(arguments[0]); return r ? r.getAttribute('data-print-state') : null", RESULT)


def to_progress(screen, receipt):
    screen.at("attract")
    screen.tap("[data-action=progress]")
    screen.at("progress_card")
    post(screen.base, "/api/v1/demo/card/place/resident-id")
    screen.at("progress", 20)
    screen.wait(lambda: screen.find(f"[data-case='{receipt}'] {RESULT}"), 30, "the finished item's result under the case")
    text = body(screen)
    check(receipt in text, f"the case's receipt number is shown: {text[:300]!r}")
    check("终端" in text, f"the result says it is collected at this kiosk: {text[:500]!r}")


def leave(screen):
    # The page may be busy reloading the progress the print just changed: end_visit taps again.
    end_visit(screen)
    post(screen.base, "/api/v1/demo/card/lift")
    check(screen.find(RESULT) is None and "受理编号" not in body(screen), "the visit is wiped from the screen")


def printed(screen, receipt):
    to_progress(screen, receipt)
    screen.shot("30-result-ready")
    screen.tap(PRINT)
    screen.wait(lambda: result_state(screen) in ("printed", "failed"), 90, "the result's print to end")
    check(result_state(screen) == "printed", f"the result printed (state {result_state(screen)!r}): {body(screen)[:500]!r}")
    screen.shot("31-result-printed")
    leave(screen)


def offline(screen, receipt):
    to_progress(screen, receipt)
    tapped = time.monotonic()
    screen.tap(PRINT)
    screen.wait(lambda: "暂时无法连接政务服务平台" in body(screen), 20, "the plain message that the platform cannot be reached")
    waited = time.monotonic() - tapped
    check(waited < 15, f"the citizen waited {waited:.1f} s to hear the platform is unreachable")
    check("服务窗口" in body(screen), f"the message says where else to collect it: {body(screen)[:500]!r}")
    check(result_state(screen) != "printed", "nothing claims to have printed")
    screen.shot("32-result-offline")
    leave(screen)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--receipt", required=True)
    parser.add_argument("--expect", choices=["printed", "offline"], required=True)
    options = parser.parse_args()
    step = printed if options.expect == "printed" else offline
    run_scenario(options.url, options.screenshots, "results-e2e", lambda screen: step(screen, options.receipt))

if __name__ == "__main__":
    main()
