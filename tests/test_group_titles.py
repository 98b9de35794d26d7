"""A confirmed group never reaches a screen or the report with a title of bare stems (issue 24,
point 7): such an automatic title is shown as the note that stands for the group, shortened;
a title a person typed stays as typed."""

from __future__ import annotations

from meetup.services.group_titles import is_automatic, readable, representative, shorten

NOTES = [("voorlezn", 2), ("Voorlezen in groep 3 door de bieb", 1),
         ("voorleesouders op school", 1), ("Spreekuur JGZ op school", 0)]


def test_bare_terms_are_automatic_and_typed_titles_are_not() -> None:
    assert is_automatic("echt · nodig · onderwijskundig")
    assert is_automatic("ouders · lezen")
    for typed in ("Voorlezen met ouders", "Taal · thuis en op school", "voorlezen",
                  "Ouders en school: samen lezen"):
        assert not is_automatic(typed), typed


def test_an_automatic_title_becomes_the_group_s_most_voted_phrase() -> None:
    # "voorlezn" has the most dots but is a fragment: of the phrases with most dots, the one
    # that shares words with the most other notes stands for the group.
    assert readable("voorlezn · bibliotheek", NOTES) == "Voorleesouders op school"
    assert readable("voorlezn · bibliotheek", [(t, 2 if t.startswith("Voorlezen") else d)
                                               for t, d in NOTES]).startswith("Voorlezen in")
    # The same dots: the note that shares words with the most others.
    notes = [("Spreekuur JGZ op school", 0), ("Voorlezen met ouders op school", 0),
             ("Taalles voor ouders thuis", 0)]
    assert representative(notes) == "Voorlezen met ouders op school"
    assert readable("Voorlezen samen", NOTES) == "Voorlezen samen"
    assert readable("echt · nodig", []) == "echt · nodig"


def test_a_long_note_is_shortened_at_a_word() -> None:
    long = ("echt nodig: een onderwijskundig plan voor de overstap van groep 8 naar de "
            "brugklas, met de mentor en de ouders samen")
    title = readable("echt · nodig · onderwijskundig", [(long, 3)])
    assert title.startswith("Echt nodig: een onderwijskundig plan") and title.endswith("…")
    assert len(title) <= 60 and not title[:-1].endswith(" ")
    assert shorten("kort\nen  bondig") == "kort en bondig"
