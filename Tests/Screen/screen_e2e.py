#!/usr/bin/python3
"""The citizen's screen end to end in headless Chromium, driven by Selenium.

Run by the Swift test "The citizen's screen in headless Chromium" against a kioskd it
started (simulated card reader, real cupsd with a cups-pdf queue). Prints one `FAIL: ...`
line per failed check, screenshots into --screenshots, and a last `RESULT {json}` line with
the figures (touches, card-to-form time, event-to-DOM latencies).
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL: " + what, flush=True)


def post(base, path):
    request = urllib.request.Request(base + path, data=b"{}", method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def get_status(base, path, token=None):
    request = urllib.request.Request(base + path, headers={"X-Session-Token": token} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def bundle_to_card(screen, bundle, answers):
    """From the attract screen, `bundle` up to the card step: each (question, answer) tapped
    and seen chosen, then the notice accepted."""
    screen.wait(lambda: screen.find(f"[data-bundle={bundle}]"), 20, "the attract screen")
    screen.tap(f"[data-bundle={bundle}]")
    screen.at("notice")
    for question, answer in answers:
        screen.tap(f"[data-question={question}] [data-answer={answer}]")
        screen.wait(lambda: screen.find(f"[data-question={question}] button.chosen"), 30, f"{question} answered")
    screen.tap("[data-action=notice]")
    screen.at("card")


def newborn_to_card(screen):
    """新生儿出生 up to the card step: the sample card is a man's, so he answers as the father."""
    bundle_to_card(screen, "newborn", [("parent", "father")])


def end_visit(screen):
    """Taps 结束 until the attract screen shows: the page takes one request at a time, and a
    tap that lands while another is under way is dropped, as a citizen's would be."""
    for _ in range(3):
        if screen.step() == "attract":
            return
        screen.tap("[data-action=end]")
        try:
            WebDriverWait(screen.driver, 30, poll_frequency=0.05).until(lambda d: screen.step() == "attract")
            return
        except Exception:
            continue
    check(False, f"结束 never led back to the attract screen (step {screen.step()})")


def run_scenario(url, screenshots, name, scenario):
    """Opens the kiosk's screen in a fresh headless Chromium, runs `scenario(screen)`, closes
    the browser and exits 1 if any check failed (the browser tests' common frame)."""
    os.makedirs(screenshots, exist_ok=True)
    profile = tempfile.mkdtemp(prefix=name + "-")
    screen = Screen(url, screenshots, profile)
    try:
        screen.driver.get(url + "/")
        scenario(screen)
    finally:
        screen.driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    sys.exit(1 if failures else 0)


class Screen:
    def __init__(self, base, shots, profile):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1024",
                         "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--lang=zh-CN"]:
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.base = base
        self.shots = shots
        self.clicks = 0

    def wait(self, condition, timeout=30, what="condition"):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.005).until(lambda d: condition())
        except Exception:
            check(False, f"timed out waiting for {what} (step {self.step()})")
            return None

    def step(self):
        try:
            return self.driver.find_element(By.ID, "screen").get_attribute("data-step")
        except Exception:
            return None

    def at(self, step, timeout=30):
        return self.wait(lambda: self.step() == step, timeout, f"step {step}")

    def tap(self, selector):
        # The page re-renders on every answer and event: an element found may be replaced
        # before the click lands; find it again then (one touch all the same).
        self.clicks += 1
        for _ in range(20):
            element = self.wait(lambda: self.find(selector), 30, selector)
            if element is None:
                return
            try:
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
                element.click()
                return
            except (StaleElementReferenceException, ElementClickInterceptedException):
                time.sleep(0.05)
        check(False, f"could not tap {selector}")

    def find(self, selector):
        try:
            found = self.driver.find_elements(By.CSS_SELECTOR, selector)
            return found[0] if found and found[0].is_displayed() and found[0].is_enabled() else None
        except StaleElementReferenceException:
            return None

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(self.shots, name + ".png"))

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def metrics(self):
        return self.driver.execute_script("return window.kioskMetrics")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--idle-seconds", type=int, default=15)
    parser.add_argument("--skip-idle", action="store_true", help="leave out the idle wipe (benchmarks)")
    arguments = parser.parse_args(argv)
    base = arguments.url
    os.makedirs(arguments.screenshots, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="kiosk-chromium-")
    screen = Screen(base, arguments.screenshots, profile)
    result = {}
    try:
        driver = screen.driver
        post(base, "/api/v1/demo/card/lift")
        driver.get(base + "/")
        screen.wait(lambda: screen.find("[data-bundle=newborn]"), 20, "the attract screen")
        check(screen.find("#demo") is not None, "the demo panel is shown for simulated devices")
        screen.shot("01-attract")
        # Spoken guidance: the voice button speaks the step (kioskd synthesises it, the page
        # plays it), and a touch anywhere stops it at once. Clicked directly: not the citizen's
        # taps on the newborn's way, which the touch count below is about.
        driver.find_element(By.ID, "voice").click()
        screen.wait(lambda: driver.execute_script("return window.kioskMetrics.speaking"), 20, "the attract screen spoken")
        spoken = driver.execute_script("return window.kioskMetrics.spoken")
        check(len(spoken) == 1 and "欢迎" in spoken[0]["text"] and spoken[0]["seconds"] > 1, f"the title and guidance spoken: {spoken}")
        driver.find_element(By.CSS_SELECTOR, "header .brand").click()
        check(driver.execute_script("return window.kioskMetrics.speaking") is False, "a touch stops the voice")
        driver.find_element(By.ID, "voice").click()
        # (A service that needs the platform, tapped offline, is certificate_e2e.py's: this run
        # is online, and the tile turns from 需联网 to 联网查询 whenever the first sync lands.)
        screen.clicks = 0
        started = time.monotonic()

        # Choose the bundle, read the one-time notice.
        screen.tap("[data-bundle=newborn]")
        screen.at("notice")
        check("新生儿出生" in screen.text(), "the notice names the bundle")
        # One question first: the sample card is a man's, so he applies as the father.
        screen.tap("[data-question=parent] [data-answer=father]")
        screen.wait(lambda: screen.find("[data-question=parent] button.chosen"), 30, "the parent question answered")
        screen.shot("02-notice")
        screen.tap("[data-action=notice]")
        screen.at("card")
        screen.shot("03-card")

        # The card on the reader: the form appears prefilled.
        placed = time.monotonic()
        post(base, "/api/v1/demo/card/place/resident-id")
        screen.wait(lambda: screen.step() == "form" and "林*明" in screen.text(), 30, "the prefilled form")
        result["cardToFormMs"] = round((time.monotonic() - placed) * 1000, 1)
        check("110105********1239" in screen.text(), "the ID number is shown masked")
        check("110105199003071239" not in driver.page_source, "the full ID number never reaches the page")

        # What the card gave cannot be changed, and the screen offers no way to: no 修改 next
        # to a card value (the kiosk would refuse it as read-only).
        sources = driver.execute_script(
            "return [...document.querySelectorAll('[data-edit]')].map((b) => b.parentElement.querySelector('.tag.ok').textContent)")
        check(len(sources) > 0 and "身份证" not in sources, f"修改 is offered for shared data only, never a card value: {sources}")
        check("不可修改" in screen.text(), "prefilled values the citizen may not change say so")
        # Only three questions. The name is typed as a citizen would: on the kiosk's own pinyin
        # keyboard (the kiosk has no system input method), 林 = l i n 林; then 芸, beyond
        # GB 2312 level 1 (the old table's set), written on the handwriting pad: the recorded
        # strokes of Tests/KioskHandwritingTests/Recordings replayed as pointer events.
        # Entering the form opened the first empty field's keyboard: no tap to find where to type.
        screen.wait(lambda: screen.find("[data-pinyin='newborn.name'] [data-letter='l']"), 30, "the name's keyboard open on arrival")
        for key in ["l", "i", "n"]:
            screen.tap(f"[data-pinyin='newborn.name'] [data-letter='{key}']")
        screen.tap("[data-pinyin='newborn.name'] [data-candidate='林']")
        screen.shot("05a-pinyin-keyboard")
        screen.tap("[data-pinyin='newborn.name'] [data-tab='手写']")
        recordings = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "KioskHandwritingTests", "Recordings", "strokes.json")
        with open(recordings, encoding="utf-8") as file:
            yun = next(r for r in json.load(file) if r["character"] == "芸")
        written = time.monotonic()
        driver.execute_script(
            """const [pad, strokes, size] = arguments;
            const r = pad.getBoundingClientRect();
            const at = ([x, y]) => ({ clientX: r.left + x * r.width / size, clientY: r.top + y * r.height / size,
              pointerId: 1, pointerType: "touch", bubbles: true });
            for (const stroke of strokes) {
              pad.dispatchEvent(new PointerEvent("pointerdown", at(stroke[0])));
              for (const point of stroke.slice(1)) pad.dispatchEvent(new PointerEvent("pointermove", at(point)));
              pad.dispatchEvent(new PointerEvent("pointerup", at(stroke[stroke.length - 1])));
            }""",
            screen.find("[data-handwriting='newborn.name']"), yun["strokes"], yun["width"])
        # Strokes are not taps: counted apart from the touches (taps) the test bounds.
        result["handwritingStrokes"] = len(yun["strokes"])
        screen.wait(lambda: screen.find("[data-handwriting-candidates='newborn.name'] [data-candidate='芸']"), 30, "芸 among the candidates")
        result["handwritingMs"] = round((time.monotonic() - written) * 1000, 1)
        screen.shot("05b-handwriting")
        screen.tap("[data-handwriting-candidates='newborn.name'] [data-candidate='芸']")
        name = screen.find("input[data-input='newborn.name']")
        check(name is not None and name.get_attribute("value") == "林芸", "pinyin and handwriting typed 林芸")

        # Correcting a shared value: 修改 turns it into an input holding the value.
        # A detour, not on the newborn's way: its tap is left out of the count.
        screen.tap("[data-edit='applicant.phone']")
        screen.clicks -= 1
        phone = screen.wait(lambda: screen.find("input[data-input='applicant.phone']"), 30, "the phone number to correct")
        check(phone is not None and len(phone.get_attribute("value") or "") == 11, "the input holds the shared phone number")

        # The card lifted mid-form: the screen says so; put back, the form goes on.
        post(base, "/api/v1/demo/card/lift")
        screen.wait(lambda: "身份证已移开" in screen.text(), 30, "the card-removed notice")
        screen.shot("04-card-removed")
        post(base, "/api/v1/demo/card/place/resident-id")
        screen.wait(lambda: "身份证已移开" not in screen.text(), 30, "the card back")

        for field, option in [("delivery.method", "窗口领取"), ("household.head_relation", "女")]:
            screen.tap(f"[data-field='{field}'] [data-option='{option}']")
            screen.wait(lambda: screen.find(f"[data-field='{field}'] button.chosen"), 30, f"{field} chosen")
        name = screen.find("input[data-input='newborn.name']")
        check(name is not None and name.get_attribute("value") == "林芸", "what was typed survives tapping the options")
        screen.shot("05-form")
        screen.tap("[data-action=form-next]")
        screen.at("materials")

        # One set of materials. The kiosk takes no paper: the photo and the bank card go to the
        # window by a date shown on screen; the invoice is deferred under a signed pledge.
        for material in ["photo", "bank_card"]:
            check(screen.find(f"[data-material={material}] [data-choice=window]") is not None, f"{material} goes to the window")
            check(screen.find(f"[data-material={material}] [data-choice=provided]") is None, f"{material} is never 'received' here")
            check(screen.find(f"[data-due={material}]") is not None, f"{material} shows its due date and place")
        screen.tap("[data-material=delivery_invoice] [data-choice=deferred]")
        screen.wait(lambda: screen.find("[data-material=delivery_invoice] button.chosen"), 30, "delivery_invoice chosen")
        pad = screen.wait(lambda: screen.find("canvas[data-signature]"), 30, "the signature pad")
        # The pledge names what is owed and by when, before it is signed.
        pledged = screen.find("[data-pledged-material=delivery_invoice]")
        check(pledged is not None and "前补交" in pledged.text and "20" in pledged.text, "the pledge lists the invoice with its date")
        if pad is not None:
            screen.clicks += 1
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", pad)
            ActionChains(driver).move_to_element_with_offset(pad, -200, 0).click_and_hold() \
                .move_by_offset(120, 40).move_by_offset(120, -60).move_by_offset(100, 50).release().perform()
            screen.tap("[data-action=sign]")
            screen.wait(lambda: screen.find("[data-signed]"), 30, "the pledge signed")
        screen.shot("06-materials")
        screen.tap("[data-action=materials-next]")
        screen.at("review")
        check("林芸" in screen.text(), "the review shows the name")
        screen.shot("07-review")

        # Submit: the case is committed, the receipt prints on the A4 cups-pdf queue.
        screen.tap("[data-action=submit]")
        screen.at("receipt")
        number = screen.wait(lambda: screen.find("[data-receipt]"), 30, "the receipt number")
        receipt = number.get_attribute("data-receipt") if number else ""
        result["receipt"] = receipt
        screen.wait(lambda: screen.find("[data-print=printed]"), 40, "the receipt printed")
        screen.shot("08-receipt")
        screen.tap("[data-action=receipt-done]")
        screen.at("rating")
        screen.shot("09-rating")
        screen.tap("[data-rate='5']")
        screen.at("attract")
        result["kioskSeconds"] = round(time.monotonic() - started, 1)
        result["touches"] = screen.clicks
        metrics = screen.metrics()
        result["pageTouches"] = metrics["touches"]
        lags = sorted(metrics["eventToDom"])
        result["eventToDomMs"] = lags
        if lags:
            result["eventToDomP95Ms"] = lags[min(len(lags) - 1, int(0.95 * len(lags)))]
            result["eventToDomMedianMs"] = statistics.median(lags)

        # Nothing of that citizen remains: not in the page, not behind the API.
        # The demo panel names its invented sample people; the citizen's part of the page must not.
        source = driver.execute_script("return document.querySelector('header').outerHTML + document.querySelector('main').outerHTML")
        for value in ["林*明", "林晓明", receipt, "林芸", "窗口领取"]:
            check(value not in source, f"'{value}' is gone from the page after the session")
        check(get_status(base, "/api/v1/session") == 409, "no session is served without a token")

        # Check my progress: the card finds the case.
        post(base, "/api/v1/demo/card/lift")
        screen.tap("[data-action=progress]")
        screen.at("progress_card")
        post(base, "/api/v1/demo/card/place/resident-id")
        screen.wait(lambda: screen.find(f"[data-case='{receipt}']"), 30, "the case in the progress list")
        screen.shot("10-progress")
        screen.tap("[data-action=end]")
        screen.at("attract")
        post(base, "/api/v1/demo/card/lift")

        # 退休: the questions come before the form; 正常退休 asks fewer fields than 提前退休, and
        # the form says which it skipped and why.
        asked = {}
        for kind in ["normal", "special_job"]:
            screen.tap("[data-bundle=retirement]")
            screen.at("notice")
            go = driver.find_elements(By.CSS_SELECTOR, "[data-action=notice]")
            check(go and not go[0].is_enabled(), "the form cannot start before the questions are answered")
            screen.tap(f"[data-question=retirement_kind] [data-answer={kind}]")
            screen.wait(lambda: screen.find("[data-question=retirement_kind] button.chosen"), 30, f"{kind} chosen")
            screen.tap("[data-question=only_child] [data-answer=no]")
            screen.wait(lambda: screen.find("[data-question=only_child] button.chosen"), 30, "only_child answered")
            screen.shot(f"13-retirement-questions-{kind}")
            screen.tap("[data-action=notice]")
            screen.at("card")
            post(base, "/api/v1/demo/card/place/resident-id")
            screen.at("form")
            asked[kind] = len(driver.find_elements(By.CSS_SELECTOR, "#screen [data-field]"))
            skipped = screen.find("[data-skipped]")
            check(skipped is not None and "独生子女父母光荣证编号" in skipped.text, f"{kind}: the skipped fields are listed")
            if kind == "normal":
                check(skipped is not None and "特殊工种累计年限" in skipped.text and "正常退休" in skipped.text,
                      "正常退休: 特殊工种累计年限 is skipped because of the answer 正常退休")
                check(screen.find("[data-field='special_job.years']") is None, "正常退休 is not asked the special-job years")
            else:
                check(screen.find("[data-field='special_job.years']") is not None, "提前退休 is asked the special-job years")
            screen.shot(f"14-retirement-form-{kind}")
            screen.tap("[data-action=end]")
            screen.at("attract")
            post(base, "/api/v1/demo/card/lift")
        result["retirementFieldsAsked"] = asked
        check(asked.get("normal", 0) < asked.get("special_job", 0), f"正常退休 asks fewer fields than 提前退休: {asked}")

        # 残疾人服务 by a guardian (监护人代办): the guardian is read from the card, the person is
        # typed, and the guardian's own number typed as the person's is refused, saying what to do.
        bundle_to_card(screen, "disability-services", [
            ("applicant_role", "guardian"), ("certificate_request", "new"), ("hardship", "no"), ("severe", "no"), ("employment", "no")])
        post(base, "/api/v1/demo/card/place/resident-id")
        screen.at("form")
        holder = screen.find("[data-holder]")
        check(holder is not None and holder.get_attribute("data-holder") == "agent" and "代办人（监护人）：林*明" in holder.text,
              "the form says the card holder applies for someone else")
        told = screen.find("[data-on-behalf]")
        check(told is not None and "被代办人" in told.text, "the guardian is told whose details the applicant fields take")
        known = screen.find("dl.known")
        check(known is not None and "监护人姓名" in known.text and "林晓明" in known.text, "the guardian's name is read from the card")
        check(screen.find("input[data-input='guardian.name']") is None, "the guardian's name is not typed")
        check(screen.find("input[data-input='applicant.name']") is not None, "the person's name is typed")
        person = screen.find("input[data-input='applicant.id_number']")
        check(person is not None and not person.get_attribute("value"), "the person's number is typed, empty at first")
        person.send_keys("110105199003071239")  # the card holder's own number
        screen.tap("[data-action=form-next]")
        screen.wait(lambda: "请填写被代办人的证件号码" in screen.text(), 30, "the refusal of the guardian's own number")
        check(screen.step() == "form", "the guardian's own number is not taken as the person's")
        screen.shot("15-guardian-form")
        screen.tap("[data-action=end]")
        screen.at("attract")
        post(base, "/api/v1/demo/card/lift")

        # The next citizen: a new session shows nothing of the previous one.
        screen.tap("[data-bundle=newborn]")
        screen.at("notice")
        check(receipt not in driver.page_source and "林*明" not in driver.page_source, "the next session shows no previous data")

        if arguments.skip_idle:
            screen.tap("[data-action=end]")
            screen.at("attract")
        else:
            # Idle mid-form: the countdown, then everything wiped.
            screen.tap("[data-question=parent] [data-answer=father]")
            screen.wait(lambda: screen.find("[data-question=parent] button.chosen"), 30, "the parent question answered")
            screen.tap("[data-action=notice]")
            screen.at("card")
            post(base, "/api/v1/demo/card/place/resident-id")
            screen.at("form")
            # Markup typed into a field (from a keyboard or a script) must stay text.
            hostile = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
            for _ in range(20):
                field = screen.wait(lambda: screen.find("input[data-input='newborn.name']"), 30, "the name field")
                try:
                    field.send_keys(hostile)
                    break
                except (StaleElementReferenceException, AttributeError):
                    time.sleep(0.05)
            for field, option in [("delivery.method", "窗口领取"), ("household.head_relation", "女")]:
                screen.tap(f"[data-field='{field}'] [data-option='{option}']")
                screen.wait(lambda: screen.find(f"[data-field='{field}'] button.chosen"), 30, f"{field} chosen")
            # A name holds no Latin letters: the kiosk refuses it, saying why, and the markup
            # stays text in the field and in the refusal.
            screen.tap("[data-action=form-next]")
            screen.wait(lambda: "拉丁字母" in screen.text(), 30, "the name's refusal")
            check(screen.step() == "form", "a name with Latin letters is not accepted")
            field = screen.find("input[data-input='newborn.name']")
            check(field is not None and field.get_attribute("value") == hostile, "the markup typed as a name stays text in the field")
            check(driver.execute_script("return window.__xss") is None, "the markup typed as a name never ran")
            check(not driver.find_elements(By.CSS_SELECTOR, "#screen img[src=x], #screen script"), "no element was made from the name")
            screen.shot("07b-review-markup")
            screen.wait(lambda: screen.find("#countdown"), arguments.idle_seconds + 5, "the idle countdown")
            screen.shot("11-countdown")
            screen.wait(lambda: screen.step() == "attract", arguments.idle_seconds + 10, "the idle wipe")
            check("林*明" not in driver.page_source, "the idle wipe leaves nothing on the page")

            # Large text, high contrast (适老化).
            screen.tap("#large-text")
            screen.wait(lambda: "large" in (driver.find_element(By.TAG_NAME, "body").get_attribute("class") or ""), 5, "large text")
            screen.shot("12-large-text")
    finally:
        screen.driver.quit()
    return finish(result, profile)


def finish(result, profile):
    # no-store: the browser's cache holds none of the answers.
    cached = b""
    for folder, _, files in os.walk(profile):
        for file in files:
            try:
                with open(os.path.join(folder, file), "rb") as handle:
                    cached += handle.read()
            except OSError:
                pass
    check("林晓明".encode() not in cached and "林*明".encode() not in cached, "the browser profile keeps no personal data")
    shutil.rmtree(profile, ignore_errors=True)
    result["failures"] = len(failures)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
