#!/usr/bin/python3
"""The identity-number keypad's letters, in headless Chromium.

Run by the Swift test "A 2017 foreign permanent-resident card number typed on the keypad's
letters is accepted": the 2017 card's number begins with three letters (CAN310085061217), and
the numeric keypad offers them behind its ABC key. In 新生儿出生, the father applies with his
card; the mother holds such a card. Her number is typed on the screen's own keys only (the
kiosk has no keyboard), the form goes on, and the review shows the number the kiosk took.

Prints one `FAIL: ...` line per failed check; exits 1 if any.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from screen_e2e import check, newborn_to_card, post, run_scenario  # noqa: E402

NUMBER = "CAN310085061217"
FIELD = "mother.id_number"


def typed(screen):
    return screen.driver.execute_script(
        "const i = document.querySelector(`input[data-input='${arguments[0]}']`); return i ? i.value : null", FIELD)


def letters_shown(screen):
    return screen.driver.execute_script(
        "const l = document.querySelector(`[data-letters='${arguments[0]}']`); return l ? !l.hidden : null", FIELD)


def visit(screen):
    post(screen.base, "/api/v1/demo/card/lift")
    newborn_to_card(screen)
    post(screen.base, "/api/v1/demo/card/place/resident-id")
    screen.at("form")
    # The form as a citizen fills it: 林 on the pinyin keyboard (open on arrival), two options.
    screen.wait(lambda: screen.find("[data-pinyin='newborn.name'] [data-letter='l']"), 30, "the name's keyboard")
    for key in ["l", "i", "n"]:
        screen.tap(f"[data-pinyin='newborn.name'] [data-letter='{key}']")
    screen.tap("[data-pinyin='newborn.name'] [data-candidate='林']")
    for field, option in [("delivery.method", "窗口领取"), ("household.head_relation", "女")]:
        screen.tap(f"[data-field='{field}'] [data-option='{option}']")
        screen.wait(lambda: screen.find(f"[data-field='{field}'] button.chosen"), 30, f"{field} chosen")
    # Shared data knows a mother with a resident ID; this mother's card is a foreigner's: 修改.
    if screen.find(f"[data-edit='{FIELD}']"):
        screen.tap(f"[data-edit='{FIELD}']")
    screen.wait(lambda: screen.find(f"input[data-input='{FIELD}']"), 30, "the mother's number to type")
    check(typed(screen) == "", f"a masked number is never put back to correct: {typed(screen)!r}")
    # The letters stay out of the way until asked for.
    check(letters_shown(screen) is False, "the letters are hidden until ABC is tapped")
    screen.tap(f"[data-field='{FIELD}'] [data-key=letters]")
    screen.wait(lambda: letters_shown(screen), 30, "the letters shown after ABC")
    for character in NUMBER:
        if character.isalpha():
            screen.tap(f"[data-letters='{FIELD}'] [data-letter-key='{character}']")
        else:
            screen.tap(f"[data-field='{FIELD}'] [data-key='{character}']")
    check(typed(screen) == NUMBER, f"the keypad typed {typed(screen)!r}, not {NUMBER}")
    screen.shot("keypad-letters")

    screen.tap("[data-action=form-next]")
    # The kiosk took the number: the form goes on to the materials.
    if not screen.at("materials"):
        check(False, f"the form was refused: {screen.text()[:600]!r}")
        return
    # Back on the form, the field holds the number the kiosk keeps, as typed (the citizen's own).
    screen.tap("[data-action=back]")
    screen.at("form")
    screen.wait(lambda: typed(screen) == NUMBER, 30, f"the form to show {NUMBER} as the kiosk keeps it")
    post(screen.base, "/api/v1/demo/card/lift")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--screenshots", required=True)
    options = parser.parse_args()
    run_scenario(options.url, options.screenshots, "keypad-e2e", visit)

if __name__ == "__main__":
    main()
