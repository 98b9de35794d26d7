"""The public briefing page: what participants read on their phone before the evening."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser

from flask.testing import FlaskClient

from meetup.extensions import db
from meetup.models import Meetup, Organiser
from meetup.services import meetups


class Links(HTMLParser):
    """Every <a> with its attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._current = {k: v or "" for k, v in attrs} | {"text": ""}
            self.links.append(self._current)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current["text"] += data


def page(client: FlaskClient, code: str, **query: str) -> str:
    response = client.get(f"/b/{code}", query_string=query)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_briefing_needs_no_login_and_shows_where_and_when(client: FlaskClient,
                                                          meetup: Meetup) -> None:
    meetup.welcome = "Fijn dat je komt!\n\nWe beginnen met soep."
    db.session.commit()
    html = page(client, meetup.short_code)
    assert "<h1>Meetup Hilversum</h1>" in html
    assert "Bibliotheek, Hilversum" in html
    assert "donderdag 3 december 2026, 18:30" in html  # 17:30 UTC in winter
    assert "<p>Fijn dat je komt!</p>" in html and "<p>We beginnen met soep.</p>" in html
    assert 'name="viewport"' in html
    assert "css/briefing.css" in html


def test_summer_time_is_shown_as_dutch_wall_clock_time(client: FlaskClient,
                                                       organiser: Organiser) -> None:
    summer = meetups.create_meetup(db.session, organiser, title="Zomermeetup",
                                   starts_at=datetime(2026, 6, 11, 17, 30, tzinfo=UTC))
    db.session.commit()
    assert "donderdag 11 juni 2026, 19:30" in page(client, summer.short_code)


def test_briefing_explains_the_evening(client: FlaskClient, meetup: Meetup) -> None:
    text = visible_text(page(client, meetup.short_code))
    assert "Zo verloopt de avond" in text
    rounds = ["Wat gebeurt er al?", "Waar kunnen we bij elkaar aansluiten?", "Wat mist er nog?"]
    positions = [text.index(r) for r in rounds]
    assert positions == sorted(positions)
    assert text.index("Concrete afspraken") > positions[-1]
    assert "andere vakgebieden" in text  # mixed tables


def test_every_theme_with_question_directions_links_and_examples(client: FlaskClient,
                                                                  meetup: Meetup) -> None:
    html = page(client, meetup.short_code)
    text = visible_text(html)
    for theme in meetup.themes:
        assert f'id="theme-{theme.key}"' in html
        assert theme.title in text
        assert theme.question in text
        for direction in theme.directions:
            assert direction["title"] in text
            assert direction["prompt"] in text
        for example in theme.examples:
            assert example in text
    parser = Links()
    parser.feed(html)
    external = [a for a in parser.links if a["href"].startswith("https://")]
    wanted = {link["url"] for theme in meetup.themes for link in theme.reading_links}
    assert {a["href"] for a in external} == wanted
    for a in external:
        assert "noopener" in a["rel"].split()
        assert "external" in a["class"].split()
        assert "externe website" in a["text"]


def test_the_organisers_edits_show_up(client: FlaskClient, meetup: Meetup) -> None:
    meetups.update_theme(db.session, meetup.theme_by_key("zorg"), title="Zorg en school",
                         directions=[{"code": "3.9", "title": "Een vast aanspreekpunt",
                                      "prompt": "Wie belt de school?"}],
                         reading_links=[], examples=["Wijkteam op school"])
    db.session.commit()
    text = visible_text(page(client, meetup.short_code))
    assert "Zorg en school" in text
    assert "3.9 Een vast aanspreekpunt" in text
    assert "Wijkteam op school" in text


def test_the_code_works_in_lower_case(client: FlaskClient, meetup: Meetup) -> None:
    assert "Meetup Hilversum" in page(client, meetup.short_code.lower())


def test_english_on_request(client: FlaskClient, meetup: Meetup) -> None:
    text = visible_text(page(client, meetup.short_code, lang="en"))
    assert "Thursday 3 December 2026, 18:30" in text
    assert "How the evening works" in text


def test_unknown_code_gets_the_friendly_dutch_404(client: FlaskClient, meetup: Meetup) -> None:
    response = client.get("/b/ZZZZZZ")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Deze pagina bestaat niet." in html
    assert "Meetup Hilversum" not in html
