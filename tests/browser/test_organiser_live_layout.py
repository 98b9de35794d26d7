"""The organiser's live page on a laptop: nothing in the bar or the caps is squeezed or cut.

At 1280x800 and 1024x768 the organiser can read what they type in the message field (two
lines, ~30 characters wide), a two-line message reaches a phone with its line break, every
"Maximum voor …" field shows its whole placeholder, and the phase stepper reads as whole
rows of evenly sized steps (all on one line at 1280), each with its number apart from its name,
and the move dialog shows a long name whole.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from meetup.extensions import db
from meetup.services import joining
from meetup.services.joining import JoinRequest
from tests.browser.test_live_support import (
    assert_accessible,
    assert_no_sideways_scroll,
    expect_connected,
    open_control,
    phone_as,
    seat_people,
    watch_errors,
)

#: Room the spin buttons of a number field take beside its text (Chromium: about 15 px).
SPIN_BUTTONS = 20

#: For each "Maximum voor …" field: the width its placeholder needs, the width its text has.
PLACEHOLDER_ROOM = """els => els.map(input => {
  const style = getComputedStyle(input);
  const probe = document.createElement('span');
  probe.textContent = input.placeholder;
  probe.style.font = style.font;
  probe.style.position = 'absolute';
  probe.style.whiteSpace = 'pre';
  document.body.append(probe);
  const need = probe.getBoundingClientRect().width;
  probe.remove();
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {label: input.labels[0].textContent, placeholder: input.placeholder, need, room,
          clipped: input.scrollWidth > input.clientWidth};
})"""

#: The text of a select's chosen option: the width it needs, the width the select gives it.
CHOSEN_ROOM = """select => {
  const style = getComputedStyle(select);
  const probe = document.createElement('span');
  probe.textContent = select.selectedOptions[0].textContent;
  probe.style.font = style.font;
  probe.style.position = 'absolute';
  probe.style.whiteSpace = 'pre';
  document.body.append(probe);
  const need = probe.getBoundingClientRect().width;
  probe.remove();
  return {text: probe.textContent, need,
          room: select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)};
}"""
#: Room the arrow of a select takes beside its text.
SELECT_ARROW = 24
#: A double-barrelled name as people give it (the name field takes up to 80 characters).
LONG_NAME = "Anne-Marie van Oudshoorn-de Vries Bakker"

#: For each step: its box, and the gap between its number and its name.
STEPS = """els => els.map(button => {
  const box = button.getBoundingClientRect();
  const number = button.querySelector('.step__n').getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(button.lastChild);
  const name = range.getClientRects()[0];
  return {text: button.textContent.trim(), top: box.top, height: box.height,
          gap: name.left - number.right};
})"""


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found, selector
    return found


@pytest.mark.parametrize("width,height", [(1280, 800), (1024, 768)])
def test_message_caps_and_steps_are_whole_on_a_laptop(
        server, server_app, live_meetup, live_organiser, browser, new_phone, width, height):
    base = server.base_url
    joined = seat_people(live_meetup, live_organiser, [
        ("Mirjam Visser", "leerkracht_po", "OBS De Linde", "taal"),
        ("Kees Mulder", "gemeente", "Gemeente Hilversum", "zorg"),
    ], "round_1")
    joining.join(db.session, live_meetup, JoinRequest(LONG_NAME, "gemeente", "Gemeente Hilversum"))
    db.session.commit()
    laptop = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
    control, control_errors = open_control(laptop, base, live_organiser, live_meetup)
    phone_context = new_phone(360)
    phone_as(phone_context, server_app, base, live_meetup.id, joined[0][1])
    phone = phone_context.new_page()
    phone_errors = watch_errors(phone)
    phone.goto(f"{base}/live/{live_meetup.id}")
    expect_connected(phone)

    # The message field is big enough to read what one types, its buttons beside or under it.
    field = control.get_by_label("Bericht", exact=True)
    text = box(control, "#message-text")
    assert text["width"] >= 240 and text["height"] >= 40, text
    for name in ("Versturen", "Bericht weghalen"):
        button = control.get_by_role("button", name=name, exact=True).bounding_box()
        assert button and button["x"] + button["width"] <= width, (name, button)
        beside = button["x"] >= text["x"] + text["width"]
        under = button["y"] >= text["y"] + text["height"]
        assert beside or under, (name, button, text)

    # A two-line message (Shift+Enter makes the new line) reaches the phone as two lines.
    field.click()
    control.keyboard.type("De koffie staat klaar")
    control.keyboard.press("Shift+Enter")
    control.keyboard.type("Om 21:30 sluiten we af")
    expect(field).to_have_value("De koffie staat klaar\nOm 21:30 sluiten we af")
    control.get_by_role("button", name="Versturen", exact=True).click()
    banner = phone.locator(".banner")
    expect(banner).to_contain_text("Om 21:30 sluiten we af")
    assert banner.inner_text().endswith("De koffie staat klaar\nOm 21:30 sluiten we af")
    expect(control.locator("#message-current")).to_contain_text("De koffie staat klaar")

    # Every "Maximum voor …" field shows its whole placeholder.
    caps = control.locator("#theme-caps input")
    expect(caps).to_have_count(3)
    for cap in caps.evaluate_all(PLACEHOLDER_ROOM):
        assert cap["placeholder"] == "geen maximum", cap
        assert not cap["clipped"] and cap["room"] >= cap["need"] + SPIN_BUTTONS, cap

    # The stepper: evenly tall steps in whole rows, none alone on a line; one line at 1280.
    steps = control.locator(".stepper .step").evaluate_all(STEPS)
    assert len(steps) == 10
    heights = [step["height"] for step in steps]
    assert max(heights) - min(heights) <= 1, steps
    rows: dict[int, list[str]] = {}
    for step in steps:
        rows.setdefault(round(step["top"]), []).append(step["text"])
    assert all(len(row) > 1 for row in rows.values()) or len(rows) == 1, rows
    if width >= 1280:
        assert len(rows) == 1, rows
    for step in steps:
        assert step["gap"] >= 3, step  # "10 Afgesloten", not "10Afgesloten"

    # The move dialog shows a long name with "· geen tafel" whole in its select.
    control.get_by_role("button", name=f"Verplaats {LONG_NAME}").click()
    dialog = control.get_by_role("dialog")
    who = dialog.get_by_label("Wie?")
    expect(who).to_have_value(re.compile(r"\d+"))
    chosen = who.evaluate(CHOSEN_ROOM)
    assert chosen["text"] == f"{LONG_NAME} · geen tafel", chosen
    assert chosen["room"] >= chosen["need"] + SELECT_ARROW, chosen
    dialog.get_by_role("button", name="Annuleren").click()
    expect(dialog).to_be_hidden()

    assert_no_sideways_scroll(control)
    assert_accessible(control)
    laptop.close()
    assert control_errors == [] and phone_errors == []
