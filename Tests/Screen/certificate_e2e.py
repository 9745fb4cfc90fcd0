#!/usr/bin/python3
"""Query and print (查询打印) on the citizen's screen, in headless Chromium.

Run by the Swift test "Query and print (real kioskd, kiosk-platform and cupsd)":

- `--expect printed`: the platform is up. The service tile (from the platform's signed list)
  leads to the card step, the consent step with the masked name, then the certificate printed,
  with a masked preview; ending the visit wipes it from the screen.
- `--expect offline`: the platform is down and the kiosk knows it. The tile says 需联网, and a
  tap tells the citizen at once, before any card is asked for.
- `--expect prefill` / `prefill-offline`: 新生儿出生 to the form, its fields marked 共享数据 from
  the platform; with the platform down, the form comes at once and asks more.

Prints one `FAIL: ...` line per failed check; exits 1 if any.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from screen_e2e import check, end_visit, newborn_to_card, post, run_scenario  # noqa: E402

SERVICE = "[data-service=no-criminal-record]"


def body(screen):
    # The screen only: the demo panel beside it lists the sample cards by name.
    return screen.driver.execute_script("return document.getElementById('screen').innerText")


def printed(screen):
    screen.at("attract")
    screen.wait(lambda: screen.find(SERVICE), 30, "the platform's service on the attract screen")
    check("联网查询" in (screen.find(SERVICE).text if screen.find(SERVICE) else ""), "the tile says the query is online")
    screen.tap(SERVICE)
    screen.at("query_card")
    check("犯罪记录" in body(screen), "the card step says what the certificate states")
    screen.shot("20-query-card")
    post(screen.base, "/api/v1/demo/card/place/resident-id")
    screen.at("query_consent")
    text = body(screen)
    check("林*明" in text and "林晓明" not in text, f"the consent step shows the masked name only: {text[:300]!r}")
    screen.shot("21-query-consent")
    screen.tap("[data-action=query-consent]")
    screen.at("certificate")
    screen.wait(lambda: screen.find("[data-certificate-state=printed]"), 60, "the certificate printed")
    text = body(screen)
    check("110105********1239" in text, f"the preview shows the masked number: {text[:400]!r}")
    check("110105199003071239" not in text and "林晓明" not in text, "nothing unmasked on screen")
    check("证明已打印" in text, "the citizen is told the certificate is printed")
    screen.shot("22-certificate-printed")
    end_visit(screen)
    post(screen.base, "/api/v1/demo/card/lift")
    check("林*明" not in body(screen), "the visit is wiped from the screen")


def offline(screen):
    screen.at("attract")
    screen.wait(lambda: "需联网" in (screen.find(SERVICE).text if screen.find(SERVICE) else ""), 60,
                "the tile to say 需联网")
    screen.tap(SERVICE)
    screen.wait(lambda: "网络不可用" in body(screen), 30, "the plain offline message")
    check(screen.step() == "attract", f"no card is asked for while offline (step {screen.step()})")
    screen.shot("23-query-offline")


def prefill(screen, online):
    """新生儿出生 to the form: with the platform up, fields come marked 共享数据 (the platform's
    shared data); with it down, the form comes at once and simply asks more."""
    screen.at("attract")
    newborn_to_card(screen)
    placed = time.monotonic()
    post(screen.base, "/api/v1/demo/card/place/resident-id")
    screen.at("form", 20)
    waited = time.monotonic() - placed
    # Each known field's source tag (共享数据, 身份证...), read in one script.
    sources = screen.driver.execute_script(
        "return [...document.querySelectorAll('#screen .known .tag.ok')].map((t) => t.textContent)")
    if online:
        check("共享数据" in sources, f"prefilled fields name the platform's shared data as their source: {sources}")
        screen.shot("24-prefill-sources")
    else:
        check("共享数据" not in sources, f"nothing claims shared data with the platform down: {sources}")
        check("身份证" in sources, f"the card's own fields are filled, and say so: {sources}")
        check(waited < 10, f"the citizen waited {waited:.1f} s for the form with the platform down")
        screen.shot("25-prefill-offline")
    end_visit(screen)
    post(screen.base, "/api/v1/demo/card/lift")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--expect", choices=["printed", "offline", "prefill", "prefill-offline"], required=True)
    options = parser.parse_args()
    scenarios = {
        "printed": printed, "offline": offline,
        "prefill": lambda screen: prefill(screen, online=True),
        "prefill-offline": lambda screen: prefill(screen, online=False),
    }
    run_scenario(options.url, options.screenshots, "certificate-e2e", scenarios[options.expect])

if __name__ == "__main__":
    main()
