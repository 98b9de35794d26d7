"""Gathering the report: what counts, what stays out, and who may be named."""

from __future__ import annotations

import dataclasses

import pytest

from meetup.extensions import db
from meetup.reports.data import Report, gather_report
from tests.report_factories import VOTER_NAME, add_agreement, add_participant, add_table, \
    make_evening, make_meetup


@pytest.fixture
def evening(app):
    evening = make_evening()
    db.session.commit()
    return evening


def test_only_finalised_agreements_count_and_drafts_are_only_counted(evening) -> None:
    report = gather_report(db.session, evening.meetup)
    assert [a.what for a in report.agreements] == [
        "Voorleesouders op elke basisschool", "Tolk bij elk oudergesprek in groep 8",
        "Warme overdracht PO-VO voor elk kind", "Huiswerkklas in het buurthuis"]
    assert [a.number for a in report.agreements] == [1, 2, 3, 4]
    assert report.agreement_count == 4
    assert report.draft_count == 1


def test_counts_at_a_glance(evening) -> None:
    report = gather_report(db.session, evening.meetup)
    assert report.table_count == 3
    assert report.note_count == 6  # the hidden and the deleted note are not visible
    assert report.participants_total == 9  # 5 consenting, 2 not, a voter at tables 1 and 2
    themes = {t.title: t for t in report.themes}
    assert themes["Taal centraal"].table_numbers == (1, 2)
    assert len(themes["Taal centraal"].agreements) == 2
    assert themes["Zorg vs. lesgeven"].participants == 0
    assert themes["Zorg vs. lesgeven"].agreements == ()


def test_notes_are_grouped_and_ranked_by_votes(evening) -> None:
    taal = gather_report(db.session, evening.meetup).themes[0]
    table_1 = taal.happens_by_table[0]
    assert table_1.table_number == 1
    assert [n.text for n in table_1.notes] == ["Voorlezen in de bibliotheek op woensdag",
                                               "Taalcafé voor ouders"]
    assert taal.top_notes[0].text == "Geen tolk bij oudergesprekken"
    assert taal.top_notes[0].votes == 4


def test_only_consenting_people_are_read_by_name(evening) -> None:
    report = gather_report(db.session, evening.meetup)
    names = {c.name for c in report.contacts}
    assert names == {p.display_name for p in evening.consenting}
    flat = repr(report)
    for participant in evening.not_consenting:
        assert participant.display_name not in flat
    assert VOTER_NAME not in flat


def test_contacts_know_which_agreements_they_own(evening) -> None:
    report = gather_report(db.session, evening.meetup)
    owned = {c.name: c.owned for c in report.contacts}
    assert owned["Şükrü Yılmaz"] == (1,)
    assert owned["Nguyễn Thị Hương"] == (2,)
    assert owned["Zoë de Vries"] == ()


def test_follow_up_tokens_only_in_the_private_gathering(evening) -> None:
    shared = gather_report(db.session, evening.meetup)
    private = gather_report(db.session, evening.meetup, private=True)
    assert all(a.followup_token == "" for a in shared.agreements)
    assert [a.followup_token for a in private.agreements] == [
        a.followup_token for a in evening.agreements]


def test_the_network_lists_organisations_with_their_agreements(evening) -> None:
    network = {r.organisation: r for r in gather_report(db.session, evening.meetup).network}
    assert network["Bibliotheek"].partner_in == (1, 2)
    assert network["Bibliotheek"].per_theme[0] == 2
    assert network["GGD Gooi"].owner_of == (2,)
    assert list(network)[0] == "Bibliotheek"  # most agreements first


def test_the_report_is_plain_frozen_data(evening) -> None:
    report = gather_report(db.session, evening.meetup)
    assert isinstance(report, Report)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.title = "x"  # type: ignore[misc]

    def walk(value):
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                yield from walk(getattr(value, f.name))
        elif isinstance(value, tuple):
            for item in value:
                yield from walk(item)
        else:
            yield value

    assert not any(isinstance(v, db.Model) for v in walk(report))


def test_an_agreement_whose_theme_is_gone_lands_in_its_own_section(app) -> None:
    meetup = make_meetup()
    add_agreement(meetup, what="Zwevende afspraak")
    add_agreement(meetup, table=add_table(meetup, "taal", 1), what="Taalafspraak")
    db.session.commit()
    report = gather_report(db.session, meetup)
    assert report.themes[-1].title == "Zonder thema"
    assert [a.what for a in report.themes[-1].agreements] == ["Zwevende afspraak"]
    assert report.agreements[0].what == "Taalafspraak"


def test_contacts_sort_by_surname_with_unicode_collation_and_dutch_prefixes(app) -> None:
    from meetup.reports.collation import sort_key

    names = ["Zoë Ødegård", "Piet Zwart", "Łucja Łapińska", "Jan van 't Hek", "Anna Mulder",
             "Kees de Boer"]
    assert sorted(names, key=sort_key) == ["Kees de Boer", "Jan van 't Hek", "Łucja Łapińska",
                                           "Anna Mulder", "Zoë Ødegård", "Piet Zwart"]
    meetup = make_meetup()
    for i, name in enumerate(names):
        add_participant(meetup, name, email=f"p{i}@example.org", consent=True)
    db.session.commit()
    report = gather_report(db.session, meetup)
    assert [c.name for c in report.contacts] == sorted(names, key=sort_key)
