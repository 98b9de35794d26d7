"""The meetup service: Dutch wall-clock time, theme lists, validation and counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetup.extensions import db
from meetup.models import Meetup, Organiser
from meetup.services import content, joining, meetups
from meetup.services.errors import Forbidden, InvalidInput, NotFound


def test_wall_clock_time_becomes_utc_in_winter_and_summer() -> None:
    assert meetups.local_to_utc(date(2026, 12, 3), time(19, 30)) == \
        datetime(2026, 12, 3, 18, 30, tzinfo=UTC)
    assert meetups.local_to_utc(date(2026, 7, 2), time(19, 30)) == \
        datetime(2026, 7, 2, 17, 30, tzinfo=UTC)
    # The days the clocks change: 29 March and 25 October 2026.
    assert meetups.local_to_utc(date(2026, 3, 29), time(19, 0)) == \
        datetime(2026, 3, 29, 17, 0, tzinfo=UTC)
    assert meetups.local_to_utc(date(2026, 10, 25), time(19, 0)) == \
        datetime(2026, 10, 25, 18, 0, tzinfo=UTC)


def test_the_skipped_hour_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        meetups.local_to_utc(date(2026, 3, 29), time(2, 30))
    assert caught.value.field == "start_time"


def test_the_doubled_hour_means_the_first_one() -> None:
    assert meetups.local_to_utc(date(2026, 10, 25), time(2, 30)) == \
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_stored_times_read_back_as_the_time_entered(moment: datetime) -> None:
    day, at = moment.date(), moment.time().replace(second=0, microsecond=0)
    try:
        stored = meetups.local_to_utc(day, at)
    except InvalidInput:  # the skipped hour in March
        assert (day.month, at.hour) == (3, 2)
        return
    assert stored.tzinfo is UTC
    assert meetups.utc_to_local(stored) == (day, at)


def test_directions_follow_their_position_and_blank_rows_drop_out() -> None:
    rows = [
        {"position": 3, "code": "c", "title": "Derde", "prompt": ""},
        {"position": 1, "code": "a", "title": "Eerste", "prompt": " Vraag "},
        {"position": None, "code": "", "title": "", "prompt": ""},
        {"position": 2, "code": "x", "title": "Weg", "prompt": "", "remove": True},
        {"position": None, "code": "z", "title": "Zonder nummer", "prompt": ""},
        {"position": 2, "code": "b", "title": "Tweede", "prompt": ""},
    ]
    assert meetups.clean_directions(rows) == [
        {"code": "a", "title": "Eerste", "prompt": "Vraag"},
        {"code": "b", "title": "Tweede", "prompt": ""},
        {"code": "c", "title": "Derde", "prompt": ""},
        {"code": "z", "title": "Zonder nummer", "prompt": ""},
    ]


def test_a_direction_needs_a_title_and_the_error_names_its_row() -> None:
    with pytest.raises(InvalidInput) as caught:
        meetups.clean_directions([{"title": "Goed"}, {"code": "1.2", "prompt": "Iets"}])
    assert caught.value.field == "directions-1-title"


@pytest.mark.parametrize("url", ["https://www.vn.nl/beter-leesonderwijs/",
                                 "https://example.org/a?b=c#d"])
def test_https_links_are_accepted(url: str) -> None:
    assert meetups.clean_reading_links([{"title": " Lees dit ", "url": f" {url} "}]) == \
        [{"title": "Lees dit", "url": url}]


@pytest.mark.parametrize("url", ["http://example.org/", "javascript:alert(1)", "ftp://x.nl/",
                                 "example.org", "https://", "https://localhost/",
                                 "https://exa mple.org/", "https://[::1/"])
def test_other_links_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        meetups.clean_reading_links([{"title": "", "url": ""}, {"title": "Lees", "url": url}])
    assert caught.value.field == "reading_links-1-url"


def test_a_link_needs_a_title() -> None:
    with pytest.raises(InvalidInput) as caught:
        meetups.clean_reading_links([{"title": "", "url": "https://example.org/"}])
    assert caught.value.field == "reading_links-0-title"


def test_examples_are_one_per_line() -> None:
    assert meetups.clean_examples("  Taalcafé \n\n Voorleesuur\r\n  ") == ["Taalcafé",
                                                                         "Voorleesuur"]


def test_update_theme_changes_only_this_meetup(app, organiser: Organiser,  # noqa: ANN001
                                               meetup: Meetup) -> None:
    other = meetups.create_meetup(db.session, organiser, title="Meetup Zwolle")
    meetups.update_theme(db.session, meetup.theme_by_key("taal"), title="Nieuw",
                         examples="Een\nTwee", capacity=None)
    db.session.commit()
    assert meetup.theme_by_key("taal").examples == ["Een", "Twee"]
    assert other.theme_by_key("taal").title == content.default_themes()[0]["title"]
    assert content.default_themes()[0]["title"] == "Taal centraal"


def test_update_theme_refuses_a_zero_cap(app, meetup: Meetup) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as caught:
        meetups.update_theme(db.session, meetup.themes[0], capacity=0)
    assert caught.value.field == "capacity"


def test_overlong_fields_are_refused_before_the_database(app, organiser: Organiser) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as caught:
        meetups.create_meetup(db.session, organiser, title="x" * 201)
    assert caught.value.field == "title"


def test_only_the_owner_gets_the_meetup(app, organiser: Organiser,  # noqa: ANN001
                                        meetup: Meetup) -> None:
    from meetup.services import organisers

    bob = organisers.create_organiser(db.session, "bob@example.org", "long enough password")
    assert meetups.owned_meetup(db.session, organiser, meetup.id) is meetup
    with pytest.raises(Forbidden):
        meetups.owned_meetup(db.session, bob, meetup.id)
    with pytest.raises(NotFound):
        meetups.owned_meetup(db.session, organiser, meetup.id + 100)


def test_participant_counts_per_meetup(app, organiser: Organiser,  # noqa: ANN001
                                       meetup: Meetup) -> None:
    empty = meetups.create_meetup(db.session, organiser, title="Leeg",
                                  starts_at=datetime.now(UTC) + timedelta(days=1))
    for name in ("Ann", "Bea", "Cor"):
        joining.join(db.session, meetup, joining.JoinRequest(name, content.role_keys()[0],
                                                              "School"))
    db.session.commit()
    assert meetups.participant_counts(db.session, [meetup.id, empty.id]) == {meetup.id: 3,
                                                                            empty.id: 0}
    assert meetups.participant_counts(db.session, []) == {}
