#!/usr/bin/python3
"""An item that waits for shared data, on the citizen's screen in headless Chromium.

Run by the Swift test "Offline, the screen says the road transport certificate waits for the
VIN": the demo's shared data has no vehicle, so in 开办运输企业 the 车辆识别代号 (which only
shared data may give) stays empty. The form shows it as known, not as a question, with what
happens next; there is nothing to type for it.

Prints one `FAIL: ...` line per failed check; exits 1 if any.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from screen_e2e import bundle_to_card, check, post, run_scenario  # noqa: E402

FIELD = "vehicle.vin"


def visit(screen):
    post(screen.base, "/api/v1/demo/card/lift")
    bundle_to_card(screen, "transport-company", [("representative", "self")])
    post(screen.base, "/api/v1/demo/card/place/resident-id")
    screen.at("form")
    screen.wait(lambda: "车辆识别代号" in screen.text(), 30, "the form with the VIN")
    known = screen.driver.execute_script(
        "return [...document.querySelectorAll('dl.known dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])")
    vin = [value for label, value in known if label == "车辆识别代号"]
    check(len(vin) == 1 and "数据可用后继续办理" in vin[0], f"the VIN is shown as waiting for shared data: {vin}")
    check(screen.find(f"input[data-input='{FIELD}']") is None and screen.find(f"[data-edit='{FIELD}']") is None,
          "nothing is offered to type the VIN")
    screen.shot("shared-data-wait")
    post(screen.base, "/api/v1/demo/card/lift")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--screenshots", required=True)
    options = parser.parse_args()
    run_scenario(options.url, options.screenshots, "wait-e2e", visit)

if __name__ == "__main__":
    main()
