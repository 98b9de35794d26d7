"""Templates are ready for a strict Content-Security-Policy and label every field."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def test_no_inline_scripts_handlers_or_styles() -> None:
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)!r}")
    assert not offenders, offenders


def test_every_response_carries_a_strict_csp(client, meetup, logged_in) -> None:
    """Pages, forms with errors, redirects, error pages and files: all of them (a response
    without the header would run an injected script)."""
    anonymous = client.application.test_client()
    responses = {
        "home": anonymous.get("/"),
        "join form": anonymous.get(f"/j/{meetup.join_token}"),
        "join form with errors": anonymous.post(f"/j/{meetup.join_token}", data={}),
        "redirect to login": anonymous.get("/organiser/"),
        "not found": anonymous.get("/j/no-such-link"),
        "method not allowed": anonymous.get("/organiser/logout"),
        "script file": anonymous.get("/static/js/phone.js"),
        "organiser page": logged_in.get(f"/organiser/meetups/{meetup.id}"),
        "projector": logged_in.get(f"/projector/{meetup.id}"),
        "qr image": logged_in.get(f"/projector/{meetup.id}/qr.svg"),
    }
    assert {name: r.status_code for name, r in responses.items()} == {
        "home": 200, "join form": 200, "join form with errors": 200, "redirect to login": 302,
        "not found": 404, "method not allowed": 405, "script file": 200,
        "organiser page": 200, "projector": 200, "qr image": 200}
    for name, response in responses.items():
        csp = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp, name
        assert "unsafe-inline" not in csp, name
        assert response.headers.get("X-Content-Type-Options") == "nosniff", name
