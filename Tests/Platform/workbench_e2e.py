#!/usr/bin/python3
"""The department workbench in headless Chromium, driven by Selenium.

Run by the Swift test "The department workbench in headless Chromium" against a platform it
started with one delivered case (no attachments) and one 差评. Prints one `FAIL: ...` line per
failed check and exits 1 if any.
"""
import argparse
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL: " + what, flush=True)


def follow(driver, element):
    """Clicks a link or button and waits until a new document has replaced this one.

    The old document is marked before the click; the wait ends once a document without the mark
    has finished loading. (Waiting for the clicked element to go stale raced with the navigation:
    Chromium may answer "Node with given id does not belong to the document" mid-swap.)
    """
    driver.execute_script("window.__workbenchLeft = true;")
    element.click()

    def arrived(driver):
        try:
            return driver.execute_script(
                "return window.__workbenchLeft !== true && document.readyState === 'complete';")
        except WebDriverException:
            return False

    WebDriverWait(driver, 20).until(arrived)


def submit(driver, scope):
    """Clicks the form's button and waits for the answer page to replace this one."""
    follow(driver, scope.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--case", required=True)
    parser.add_argument("--item", required=True)
    parser.add_argument("--other-item", required=True)
    arguments = parser.parse_args()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="workbench-chromium-")
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1024",
                     "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--lang=zh-CN"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(arguments.url + "/")
        rows = driver.find_elements(By.CSS_SELECTOR, f'tr[data-case="{arguments.case}"]')
        check(len(rows) == 1, "the delivered case is listed")
        check(driver.find_element(By.ID, "open-follow-ups").text == "1", "one open 差评 follow-up is counted")
        link = rows[0].find_element(By.TAG_NAME, "a")
        follow(driver, link)

        # Accept (受理) the first item.
        row = driver.find_element(By.CSS_SELECTOR, f'tr[data-item="{arguments.item}"]')
        Select(row.find_element(By.NAME, "stage")).select_by_value("accepted")
        submit(driver, row)
        messages = driver.find_elements(By.ID, "message")
        check(messages and "受理" in messages[0].text, "the move is confirmed in words")
        stage = driver.find_element(By.CSS_SELECTOR, f'tr[data-item="{arguments.item}"] td.stage').text
        check(stage == "受理", f"the item shows 受理, not {stage!r}")

        # 不予受理 without a reason is refused, and says why.
        row = driver.find_element(By.CSS_SELECTOR, f'tr[data-item="{arguments.other_item}"]')
        Select(row.find_element(By.NAME, "stage")).select_by_value("not_accepted")
        submit(driver, row)
        errors = driver.find_elements(By.ID, "error")
        check(errors and "reason" in errors[0].text, "a move without its required reason is refused with words")
        stage = driver.find_element(By.CSS_SELECTOR, f'tr[data-item="{arguments.other_item}"] td.stage').text
        check(stage == "收件", f"the refused move changed nothing ({stage!r})")

        # With a reason it goes.
        row = driver.find_element(By.CSS_SELECTOR, f'tr[data-item="{arguments.other_item}"]')
        Select(row.find_element(By.NAME, "stage")).select_by_value("not_accepted")
        row.find_element(By.NAME, "reason").send_keys("不属于本部门受理范围")
        submit(driver, row)
        stage = driver.find_element(By.CSS_SELECTOR, f'tr[data-item="{arguments.other_item}"] td.stage').text
        check(stage == "不予受理", f"with its reason the move goes ({stage!r})")

        # Close the 差评's follow-up.
        driver.get(arguments.url + "/follow-ups")
        follow_ups = driver.find_elements(By.CSS_SELECTOR, "tr[data-follow-up]")
        check(len(follow_ups) == 1, "the 差评's follow-up is listed")
        if follow_ups:
            follow_ups[0].find_element(By.NAME, "note").send_keys("已电话回访，补充了办理指引")
            submit(driver, follow_ups[0])
            check("整改已办结" in driver.find_element(By.ID, "message").text, "closing is confirmed")
            check("已办结" in driver.find_element(By.CSS_SELECTOR, "tr[data-follow-up]").text, "the follow-up shows closed")
    finally:
        driver.quit()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # a broken page or a driver that would not start: say which
        import traceback
        traceback.print_exc()
        print("FAIL: the workbench run stopped: " + repr(error), flush=True)
        sys.exit(1)
