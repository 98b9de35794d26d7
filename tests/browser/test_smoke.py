"""The home page in a phone browser: Dutch, no CSP errors, accessible."""

from __future__ import annotations

from tests.browser.conftest import axe_violations, describe


def test_home_on_a_phone_is_dutch_and_accessible(server, phone) -> None:
    page = phone.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(server.base_url + "/")
    assert page.get_by_role("link", name="Aanmelden met een code").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert errors == []
