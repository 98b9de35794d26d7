"""Every form, organiser's and participant's, posted with CSRF protection ON (as in production).

The rest of the suite turns CSRF off. Here the forms are found the way a person finds them:
three browsers (a visitor, a phone that joins, the organiser) follow the links of the site and
collect every ``<form method="post">`` they see. Then, for every POST route in
``app.url_map``:

- some page has a form that posts to it, and that form carries a ``csrf_token``;
- posted without a token, or with the token of another browser, it is refused with the Dutch
  "form expired" page and the database does not change;
- posted as the browser would (with its token), it is accepted.

So a route newly exempted from CSRF, a form that lost its ``hidden_tag()``, or a new POST route
nobody wrote a check for, fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from meetup.extensions import csrf, db
from meetup.models import Meetup
from meetup.services import meetups, organisations, organisers, sharing, unsubscribe
from tests.conftest import PASSWORD, make_app
from tests.report_factories import make_evening

EXPIRED = "Je formulier is verlopen"

#: Endpoints never followed while looking for forms: files, exports, the language switch.
NOT_CRAWLED = {"static", "set_language", "organiser.report_export", "projector.qr_png",
               "projector.qr_svg", "projector.poster", "public.shared_report_pdf",
               "participant.ics"}
#: POST routes that are not forms but called from a script (they still need the token, sent
#: as X-CSRFToken). None yet.
SCRIPT_POSTS: dict[str, str] = {}
#: The only POST route exempt from CSRF: RFC 8058's one-click unsubscribe, posted by a mail
#: program that has no token (the signed link proves the address; issue 23).
CSRF_EXEMPT = {"public.unsubscribe_one_click"}


@dataclass
class Form:
    page: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    @property
    def token(self) -> str:
        return dict(self.fields).get("csrf_token", "")

    def data(self, fill: dict[str, str], token: str | None) -> MultiDict[str, str]:
        """What a browser sends: the form's own values, what a person typed, the token."""
        sent = [(name, fill.get(name, value)) for name, value in self.fields
                if name != "csrf_token"]
        present = {name for name, _ in sent}
        sent += [(name, value) for name, value in fill.items()
                 if name in self.field_names and name not in present]
        if token is not None:
            sent.append(("csrf_token", token))
        return MultiDict(sent)

    field_names: set[str] = field(default_factory=set)


class FormParser(HTMLParser):
    """Links and post forms of a page, with the values a browser would submit by default."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(self.page, urljoin(self.page, a.get("action") or self.page))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._form.field_names.add(a["name"])
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "file"):
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._form.field_names.add(a["name"])
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._form.field_names.add(a["name"])
            self._textarea = a["name"]
            self._form.fields.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            name, value = self._form.fields[-1]
            self._form.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._form is not None and self._select is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


@dataclass
class Site:
    app: Flask
    open_meetup_id: int
    join_token: str
    short_code: str
    followup_token: str
    unsubscribe_token: str
    invitation_token: str


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """CSRF on; no app context stays open between requests (Flask-WTF keeps its token in g)."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        organiser = organisers.create_organiser(db.session, "ada@example.org", PASSWORD)
        evening = make_evening(organiser)  # a closed meetup with agreements: reports, follow-up
        sharing.share_report(db.session, evening.meetup)  # its report page offers "revoke"
        open_meetup = meetups.create_meetup(db.session, organiser, title="Meetup Hilversum")
        # An open invitation (issue 25): the members page offers "withdraw"; its link, the
        # form that makes an account.
        _invitation, invitation_token = organisations.invite(
            db.session, organiser, open_meetup.organisation, "nina@example.org", "meekijker")
        db.session.commit()
        found = Site(app, open_meetup.id, open_meetup.join_token, open_meetup.short_code,
                     evening.agreements[1].followup_token or "",
                     unsubscribe.make_token(app.config["SECRET_KEY"], evening.meetup.id,
                                            "owner@example.org"),
                     invitation_token)
        db.session.remove()
    yield found
    with app.app_context():
        db.engine.dispose()


def _endpoint(app: Flask, url: str, method: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != "meetup.test":
        return None
    adapter = app.url_map.bind("meetup.test")
    try:
        endpoint, _args = adapter.match(parts.path, method=method)
    except HTTPException:
        return None
    return endpoint


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(app: Flask, client: FlaskClient, start: list[str], limit: int = 80) -> list[Form]:
    """Follow the site's links from ``start`` (GET only) and return every post form seen."""
    queue, seen, forms = list(start), set(), []
    while queue and len(seen) < limit:
        url = urlsplit(urljoin("http://meetup.test/", queue.pop(0)))._replace(fragment="")
        url_text = url.geturl()
        if url_text in seen:
            continue
        endpoint = _endpoint(app, url_text, "GET")
        if endpoint is None or endpoint in NOT_CRAWLED:
            continue
        seen.add(url_text)
        response = client.get(_path(url_text))
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        parser = FormParser(url_text)
        parser.feed(response.get_data(as_text=True))
        forms += parser.forms
        queue += parser.links
    return forms


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refused post must leave all of it as it was."""
    with app.app_context():
        rows = {table.name: sorted(map(tuple, db.session.execute(select(table))), key=repr)
                for table in db.metadata.sorted_tables}
        db.session.remove()
    return rows


def fill(site: Site) -> dict[str, str]:
    """What a person types into the forms (the rest keeps the form's own values)."""
    return {"email": "ada@example.org", "password": PASSWORD, "code": site.short_code,
            "display_name": "Anna de Vries", "role": "leerkracht_po",
            "organisation": "OBS De Regenboog", "title": "Meetup Utrecht",
            "note": "Tolken gevonden",
            # The account page's password change (issue 14): to the same one, so the
            # visitor can still log in with it at the end.
            "current": PASSWORD, "new": PASSWORD,
            # The members page's invitation (issue 25).
            "invite_email": "bea@example.org"}


def test_every_post_route_has_a_form_with_its_token_and_refuses_a_post_without(
        site: Site) -> None:
    app = site.app
    typed = fill(site)

    # A visitor: the home page, the code form, the join form, a follow-up link, the login page.
    visitor = app.test_client()
    visitor_forms = crawl(app, visitor, ["/", "/join", f"/j/{site.join_token}",
                                         f"/f/{site.followup_token}", "/organiser/login",
                                         f"/u/{site.unsubscribe_token}"])
    # A phone that joins, then looks around its live page.
    phone = app.test_client()
    [join_form] = [f for f in crawl(app, phone, [f"/j/{site.join_token}"])
                   if _endpoint(app, f.action, "POST") == "participant.join_meetup"]
    joined = phone.post(_path(join_form.action), data=join_form.data(typed, join_form.token))
    assert joined.status_code == 302, joined.get_data(as_text=True)[:500]
    phone_forms = crawl(app, phone, [joined.location])
    # The organiser logs in through the login form, then follows every link.
    organiser = app.test_client()
    [login_form] = [f for f in crawl(app, organiser, ["/organiser/login"])
                    if _endpoint(app, f.action, "POST") == "organiser.login"]
    logged_in = organiser.post(_path(login_form.action),
                               data=login_form.data(typed, login_form.token))
    assert logged_in.status_code == 302
    organiser_forms = crawl(app, organiser, ["/organiser/"])
    # Somebody with an invitation link (issue 25): accepting it logs them in, so they are a
    # browser of their own.
    invitee = app.test_client()
    invitee_forms = [f for f in crawl(app, invitee,
                                      [f"/organiser/invitation/{site.invitation_token}"])
                     if _endpoint(app, f.action, "POST") == "organiser.invitation"]

    by_endpoint: dict[str, list[tuple[FlaskClient, Form]]] = {}
    for client, found in ((visitor, visitor_forms), (phone, phone_forms),
                          (organiser, organiser_forms), (invitee, invitee_forms)):
        for form in found:
            endpoint = _endpoint(app, form.action, "POST")
            assert endpoint is not None, f"{form.page}: a form posts to {form.action}, " \
                                         "which takes no POST"
            assert form.token, f"{form.page}: the form to {endpoint} has no CSRF token"
            by_endpoint.setdefault(endpoint, []).append((client, form))

    post_routes = {rule.endpoint for rule in app.url_map.iter_rules()
                   if "POST" in (rule.methods or set())}
    without_form = post_routes - set(by_endpoint) - set(SCRIPT_POSTS) - CSRF_EXEMPT
    exempt = {rule.endpoint for rule in app.url_map.iter_rules()
              if f"{app.view_functions[rule.endpoint].__module__}."
                 f"{app.view_functions[rule.endpoint].__name__}" in csrf._exempt_views}
    assert exempt == CSRF_EXEMPT
    assert not without_form, f"POST routes without a form on any page: {sorted(without_form)}"
    assert {"organiser.edit_meetup", "organiser.edit_theme", "organiser.report_unshare",
            "organiser.report_share", "organiser.delete_meetup", "organiser.logout",
            "participant.join", "public.followup", "public.unsubscribe"} <= set(by_endpoint)

    # Without a token, or with another browser's: refused, nothing changes.
    before = snapshot(app)
    for endpoint, [(client, form), *_] in sorted(by_endpoint.items()):
        for token in (None, visitor_forms[0].token if client is organiser else login_form.token):
            response = client.post(_path(form.action), data=form.data(typed, token))
            assert response.status_code == 400, (endpoint, token, response.status_code)
            assert EXPIRED in response.get_data(as_text=True), endpoint
    assert snapshot(app) == before
    assert organiser.get("/organiser/").status_code == 200  # still logged in

    # With its token, as the browser sends it: accepted (what ends the session goes last).
    # Logging in starts a fresh session (and a fresh token), so the visitor logs in last.
    last = ("organiser.login", "organiser.delete_meetup", "organiser.logout")
    for endpoint, [(client, form), *_] in sorted(
            by_endpoint.items(), key=lambda item: (item[0] in last, last.index(item[0])
                                                   if item[0] in last else 0, item[0])):
        response = client.post(_path(form.action), data=form.data(typed, form.token))
        html = response.get_data(as_text=True)
        assert response.status_code != 400 and EXPIRED not in html, (endpoint, html[:300])
        assert response.status_code == 302, (endpoint, response.status_code, html[:1000])
    assert snapshot(app) != before
    with app.app_context():
        assert len(db.session.scalars(select(Meetup.id)).all()) >= 1
        db.session.remove()
