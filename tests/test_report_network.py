"""The "Netwerk rond het kind" as a picture: organisations as dots on a circle, agreements as
lines coloured by theme, with a legend and a text alternative; in the PDF and in the web
report, the same every time, and readable with 40 organisations."""

from __future__ import annotations

import io
import itertools
import math
import random
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from meetup.extensions import db
from meetup.reports.data import gather_report
from meetup.reports.fonts import register_fonts
from meetup.reports.network import organisation_network
from meetup.reports.network_layout import (
    LABEL_SIZE,
    MAX_NODES,
    PALETTE,
    network_picture,
)
from meetup.reports.pdf import build_report_pdf
from meetup.reports.rows import AgreementRow
from meetup.services import sharing
from tests.report_factories import add_agreement, add_table, make_evening, make_meetup

THEMES = (("taal", "Taal centraal"), ("overgangen", "De grote oversteek"),
          ("zorg", "Zorg vs. lesgeven"))


def row(number: int, owner: str, partners: tuple[str, ...], theme: str = "taal") -> AgreementRow:
    return AgreementRow(
        id=number, number=number, theme_key=theme, theme_title=theme, table_number=1,
        what=f"Afspraak {number}", owner_name="Anna", owner_organisation=owner,
        partners=partners, first_step="", due_date=None, success_measure="", status="planned",
        signed_on=0, followup_token="", finalised_at=None,
        updated_at=datetime(2026, 12, 3, tzinfo=UTC), updates=())


def many(n_organisations: int, n_agreements: int = 160, seed: int = 3) -> tuple[AgreementRow, ...]:
    rng = random.Random(seed)
    names = [f"Organisatie voor jeugd en gezin in wijk {i:02d}" for i in range(n_organisations)]
    return tuple(row(i + 1, rng.choice(names), tuple(rng.sample(names, rng.randint(0, 3))),
                     rng.choice(THEMES)[0]) for i in range(n_agreements))


def picture_of(agreements: tuple[AgreementRow, ...]):
    rows = organisation_network(tuple(k for k, _t in THEMES), agreements)
    return network_picture(THEMES, agreements, rows)


def test_a_link_joins_owner_and_partner_in_the_colour_of_the_theme() -> None:
    agreements = (row(1, "Bibliotheek Gooi", ("GGD Gooi", "Buurtteam")),
                  row(2, "Bibliotheek Gooi", ("GGD Gooi",)),
                  row(3, "GGD Gooi", ("Bibliotheek Gooi",), theme="zorg"),
                  row(4, "Het Lyceum", ()))
    picture = picture_of(agreements)
    assert {n.name for n in picture.nodes} == {"Bibliotheek Gooi", "GGD Gooi", "Buurtteam",
                                               "Het Lyceum"}
    links = {(frozenset((link.source, link.target)), link.colour): link
             for link in picture.links}
    pair = frozenset(("Bibliotheek Gooi", "GGD Gooi"))
    assert links[(pair, PALETTE[0])].count == 2  # two taal agreements: one thicker line
    assert links[(pair, PALETTE[2])].count == 1  # and a zorg one beside it
    assert links[(pair, PALETTE[0])].width > links[(pair, PALETTE[2])].width
    assert links[(frozenset(("Bibliotheek Gooi", "Buurtteam")), PALETTE[0])].count == 1
    assert len(picture.links) == 3  # Het Lyceum has no partner: a dot without lines
    assert [item.title for item in picture.legend] == [t for _k, t in THEMES]


def test_the_same_report_gives_the_same_picture() -> None:
    agreements = many(40)
    first, second = picture_of(agreements), picture_of(tuple(reversed(agreements)))
    assert first == picture_of(agreements)
    assert [(n.name, round(n.x, 3), round(n.y, 3)) for n in first.nodes] == \
        [(n.name, round(n.x, 3), round(n.y, 3)) for n in second.nodes]


def _label_box(node) -> tuple[float, float]:
    """Where the label's far end lands (the label runs outward along the radius)."""
    length = stringWidth(node.label, register_fonts(), LABEL_SIZE)
    angle = math.radians(node.rotation + (180 if node.anchor == "end" else 0))
    return node.label_x + length * math.cos(angle), node.label_y + length * math.sin(angle)


def test_forty_organisations_are_readable_and_more_are_left_to_the_table() -> None:
    picture = picture_of(many(55, 300))
    assert len(picture.nodes) == MAX_NODES and picture.organisations == 55
    centre = picture.width / 2
    angles = sorted(math.atan2(n.y - centre, n.x - centre) for n in picture.nodes)
    ring = math.dist((picture.nodes[0].x, picture.nodes[0].y), (centre, centre))
    gaps = [b - a for a, b in itertools.pairwise(angles)] + [
        angles[0] + 2 * math.pi - angles[-1]]
    assert min(gaps) * ring >= LABEL_SIZE * 1.2  # neighbouring names never touch
    # Shortened names keep their end, where names of one kind differ.
    assert len({n.label for n in picture.nodes}) == MAX_NODES
    assert "Organisatie voor … in wijk 07" in {n.label for n in picture.nodes}
    for node in picture.nodes:
        assert len(node.label) <= 30
        end_x, end_y = _label_box(node)
        assert 0 <= end_x <= picture.width and 0 <= end_y <= picture.height, node.label
        # outward, away from the dots and lines
        assert math.dist((end_x, end_y), (centre, centre)) > math.dist(
            (node.label_x, node.label_y), (centre, centre)) + 20, node.label
        assert -90 <= node.rotation <= 90  # never upside down


def test_organisations_that_work_together_sit_near_each_other() -> None:
    """Two clusters of ten that only work inside their cluster end up in two arcs."""
    rng = random.Random(1)
    left = [f"Links {i}" for i in range(10)]
    right = [f"Rechts {i}" for i in range(10)]
    agreements = tuple(row(i, rng.choice(group), tuple(rng.sample(group, 2)))
                       for i, group in enumerate([left, right] * 40))
    picture = picture_of(agreements)
    order = [n.name.split()[0] for n in sorted(
        picture.nodes, key=lambda n: math.atan2(n.y - 240, n.x - 240))]
    changes = sum(a != b for a, b in zip(order, order[1:] + order[:1]))
    assert changes == 2


@pytest.fixture
def evening(organiser):
    evening = make_evening(organiser)
    db.session.commit()
    return evening


def test_the_pdf_draws_the_network_above_its_table(evening) -> None:
    pdf = build_report_pdf(gather_report(db.session, evening.meetup))
    reader = PdfReader(io.BytesIO(pdf))
    page = next(p for p in reader.pages if "Elke bol is een organisatie" in
                " ".join((p.extract_text() or "").split()))
    text = " ".join(page.extract_text().split())
    picture = text[text.index("de nummers verwijzen naar de actielijst."):
                   text.index("Elke bol is een organisatie")]
    for name in ("Bibliotheek Gooi", "GGD Gooi", "Tolk / sleutelpersoon", "Leerplicht",
                 "Taal centraal", "Zorg vs. lesgeven"):
        assert name in picture, name  # the names by the dots, the themes in the legend
    assert text.index("Elke bol is een organisatie") < text.index("Trekker van")
    assert b"/ca 0.6" in pdf or b"/CA 0.6" in pdf or b"/CA .6" in pdf  # see-through lines


def test_the_network_page_renders(evening, tmp_path: Path) -> None:
    source = tmp_path / "rapport.pdf"
    source.write_bytes(build_report_pdf(gather_report(db.session, evening.meetup)))
    result = subprocess.run(["pdftoppm", "-r", "40", "-png", str(source), str(tmp_path / "p")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and result.stderr == ""


def test_the_web_report_has_the_picture_as_inline_svg_with_a_text_alternative(
        client, evening) -> None:
    token = sharing.share_report(db.session, evening.meetup)
    db.session.commit()
    html = client.get(f"/r/{token}").get_data(as_text=True)
    section = html[html.index('id="network"'):html.index('id="notes"')]
    svg = section[section.index("<svg"):section.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="network-svg-title"' in svg
    organisations = len(gather_report(db.session, evening.meetup).network)
    assert f"Netwerk rond het kind: {organisations} organisaties en de afspraken" in svg
    assert re.search(r'<figcaption id="network-figure-caption">\s*Elke bol is een organisatie',
                     section)
    labels = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    assert "Bibliotheek Gooi" in labels and "Tolk / sleutelpersoon" in labels
    assert re.findall(r'<path d="M[^"]+" stroke="#[0-9A-F]{6}"', svg)
    assert "Taal centraal" in section[section.index('class="network-legend"'):]
    assert section.index("<svg") < section.index('<table class="data">')
    assert "style=" not in html and "<script" not in section


def test_a_meetup_without_organisations_has_no_picture(app) -> None:
    meetup = make_meetup()
    add_agreement(meetup, table=add_table(meetup, "taal", 1), owner_organisation="",
                  partners=[])
    db.session.commit()
    report = gather_report(db.session, meetup)
    assert report.network_picture is None
    build_report_pdf(report)


def test_names_typed_with_markup_stay_text_in_the_svg(client, app) -> None:
    meetup = make_meetup()
    table = add_table(meetup, "taal", 1)
    add_agreement(meetup, table=table, owner_organisation='<script>alert(1)</script> & "Co"',
                  partners=['<tspan onclick="x()">GGD</tspan>'])
    token = sharing.share_report(db.session, meetup)
    db.session.commit()
    html = client.get(f"/r/{token}").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    for raw in ("<script", "<tspan", "<b>"):
        assert raw not in svg, svg[svg.index(raw) - 200:svg.index(raw) + 50]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34;" in svg
