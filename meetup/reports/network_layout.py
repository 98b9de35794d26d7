"""The "Netwerk rond het kind" as a picture: where each organisation and each link goes.

Organisations are dots on a circle, with their names outward along the radius; an agreement
links the organisation that takes the lead with each partner, as a curve through the inside,
in the colour of the agreement's theme. A circle keeps every name readable (no two labels
overlap however many links there are); the order round the circle puts organisations that
work together near each other, so the curves stay short and cross little.

Pure and deterministic: the same report gives the same picture (ties are broken by a seeded
generator, never by dictionary or set order). Coordinates are points with the origin at the
top left; the PDF (``network_pdf.py``) and the web report (an inline SVG drawn by a template)
draw the same :class:`NetworkPicture`.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

from meetup.reports.fonts import register_fonts
from meetup.reports.network import NetworkRow, organisation_key
from meetup.reports.rows import AgreementRow

#: At most this many organisations are drawn (the most agreements first); the table has all.
MAX_NODES = 40
#: Colours per theme, in the report's theme order: the Okabe-Ito palette, told apart also by
#: people with a colour vision deficiency; grey for agreements without a theme.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
NO_THEME_COLOUR = "#6b7080"
INK = "#1d2330"
#: The picture's width and the label type size, in points.
WIDTH = 480.0
LABEL_SIZE = 7.0
#: Longest label in characters; longer names are shortened with an ellipsis.
LABEL_CHARS = 30
SEED = 2026


@dataclass(frozen=True)
class Node:
    name: str
    label: str
    x: float
    y: float
    radius: float
    colour: str
    #: Where the label starts (outside the dot) and its rotation in degrees (SVG sense:
    #: clockwise); ``anchor`` is "start" or "end" so that text never reads upside down.
    label_x: float
    label_y: float
    rotation: float
    anchor: str
    total: int


@dataclass(frozen=True)
class Link:
    """One or more agreements of one theme between two organisations, as a cubic curve."""

    source: str
    target: str
    colour: str
    count: int
    width: float
    #: Start, first control point, second control point, end: (x, y) each.
    points: tuple[tuple[float, float], ...]

    @property
    def svg_path(self) -> str:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        return f"M{x0:.1f} {y0:.1f}C{x1:.1f} {y1:.1f} {x2:.1f} {y2:.1f} {x3:.1f} {y3:.1f}"


@dataclass(frozen=True)
class LegendItem:
    colour: str
    title: str


@dataclass(frozen=True)
class NetworkPicture:
    width: float
    height: float
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    legend: tuple[LegendItem, ...]
    #: Organisations in the report, of which ``len(nodes)`` are drawn.
    organisations: int

    @property
    def agreements_drawn(self) -> int:
        return sum(link.count for link in self.links)


def shorten(name: str, limit: int = LABEL_CHARS) -> str:
    """A name that fits ``limit`` characters; a longer one keeps its start and its end (where
    names of one kind differ: "Stichting Jeugd en … Wijk 18"), cut between words."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    words = name.split(" ")
    head, tail = "", ""
    for word in words:
        if len(head) + len(word) + 1 > limit * 0.6:
            break
        head = f"{head} {word}".strip()
    for word in reversed(words):
        if len(tail) + len(word) + 1 > limit - len(head) - 3:
            break
        tail = f"{word} {tail}".strip()
    if not head or not tail or len(head) + len(tail) + 3 > limit:
        return name[:limit - 1].rstrip() + "…"
    return f"{head} … {tail}"


def network_picture(themes: tuple[tuple[str | None, str], ...],
                    agreements: tuple[AgreementRow, ...], rows: tuple[NetworkRow, ...], *,
                    limit: int = MAX_NODES, seed: int = SEED) -> NetworkPicture | None:
    """The picture of the report's network; None when there is no organisation to draw.

    ``themes`` are the report's theme sections as (key, title), ``rows`` its network table.
    """
    if not rows:
        return None
    colour_of = {key: (PALETTE[i % len(PALETTE)] if key is not None else NO_THEME_COLOUR)
                 for i, (key, _title) in enumerate(themes)}
    shown = rows[:limit]
    keys = [organisation_key(r.organisation) for r in shown]
    index = {key: i for i, key in enumerate(keys)}
    counts: dict[tuple[int, int, str | None], int] = defaultdict(int)
    for a in agreements:
        owner = index.get(organisation_key(a.owner_organisation))
        if owner is None:
            continue
        partners = {index[k] for k in map(organisation_key, a.partners) if k in index}
        for partner in sorted(partners - {owner}):
            pair = (min(owner, partner), max(owner, partner))
            counts[(*pair, a.theme_key)] += 1
    order = _order(shown, counts, themes, random.Random(seed))
    family = register_fonts()
    label_room = max(stringWidth(shorten(r.organisation), family, LABEL_SIZE)
                     for r in shown) * 1.08 + 6  # a little more for the web page's font
    centre = WIDTH / 2
    ring = max(60.0, centre - label_room - 8)
    most = max(r.total for r in shown) or 1
    nodes: list[Node | None] = [None] * len(shown)
    angles: dict[int, float] = {}
    for place, i in enumerate(order):
        angle = 2 * math.pi * place / len(order) - math.pi / 2
        angles[i] = angle
        row = shown[i]
        x, y = centre + ring * math.cos(angle), centre + ring * math.sin(angle)
        radius = 2.5 + 4.5 * math.sqrt(row.total / most)
        degrees = math.degrees(angle) % 360
        left = 90 < degrees < 270
        out = ring + 10
        nodes[i] = Node(
            name=row.organisation, label=shorten(row.organisation), x=x, y=y, radius=radius,
            colour=colour_of.get(_dominant(row, themes), NO_THEME_COLOUR),
            label_x=centre + out * math.cos(angle), label_y=centre + out * math.sin(angle),
            rotation=degrees - 180 if left else (degrees if degrees <= 90 else degrees - 360),
            anchor="end" if left else "start",
            total=row.total)
    links = []
    bends: dict[tuple[int, int], int] = defaultdict(int)
    for (a, b, theme), count in sorted(counts.items(), key=lambda item: (
            item[0][0], item[0][1], _theme_position(item[0][2], themes))):
        bend = bends[(a, b)]
        bends[(a, b)] += 1
        links.append(_link(nodes[a], nodes[b], centre, colour_of.get(theme, NO_THEME_COLOUR),
                           count, bend))
    links.sort(key=lambda link: -link.width)  # thin lines on top of thick ones
    legend = tuple(LegendItem(colour_of[key], title) for key, title in themes
                   if any(k[2] == key for k in counts) or key is not None)
    return NetworkPicture(width=WIDTH, height=WIDTH, nodes=tuple(n for n in nodes if n),
                          links=tuple(links), legend=legend, organisations=len(rows))


def _theme_position(key: str | None, themes: tuple[tuple[str | None, str], ...]) -> int:
    return next((i for i, (k, _t) in enumerate(themes) if k == key), len(themes))


def _dominant(row: NetworkRow, themes: tuple[tuple[str | None, str], ...]) -> str | None:
    """The theme in which the organisation has most agreements (the first on a tie)."""
    if not row.per_theme or not max(row.per_theme):
        return None
    best = max(range(len(row.per_theme)), key=lambda i: (row.per_theme[i], -i))
    return themes[best][0] if best < len(themes) else None


def _order(shown: tuple[NetworkRow, ...], counts: dict[tuple[int, int, str | None], int],
           themes: tuple[tuple[str | None, str], ...], rng: random.Random) -> list[int]:
    """The places round the circle: start grouped by theme, then move every organisation
    towards its partners (the mean angle of its links) while that shortens the curves."""
    n = len(shown)
    weights: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (a, b, _theme), count in counts.items():
        weights[a][b] += count
        weights[b][a] += count
    order = sorted(range(n), key=lambda i: (
        _theme_position(_dominant(shown[i], themes), themes), -shown[i].total,
        shown[i].organisation.casefold(), i))

    def cost(places: list[int]) -> float:
        where = {node: p for p, node in enumerate(places)}
        total = 0.0
        for a, others in weights.items():
            for b, w in others.items():
                gap = abs(where[a] - where[b])
                total += w * min(gap, n - gap)
        return total

    best, best_cost = order, cost(order)
    current = order
    for _round in range(24):
        where = {node: p for p, node in enumerate(current)}
        keys = {}
        for node in current:
            own = 2 * math.pi * where[node] / n
            sx, sy = math.cos(own), math.sin(own)
            for other, w in weights[node].items():
                sx += w * math.cos(2 * math.pi * where[other] / n)
                sy += w * math.sin(2 * math.pi * where[other] / n)
            keys[node] = (math.atan2(sy, sx) % (2 * math.pi), rng.random())
        current = sorted(current, key=lambda node: keys[node])
        current_cost = cost(current)
        if current_cost < best_cost:
            best, best_cost = current, current_cost
    return best


def _link(a: Node, b: Node, centre: float, colour: str, count: int, bend: int) -> Link:
    """A curve from ``a`` to ``b`` pulled towards the centre (more for a second theme between
    the same two, so that both show)."""
    pull = 0.55 + 0.15 * bend
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    qx, qy = mx + (centre - mx) * pull, my + (centre - my) * pull
    c1 = (a.x + 2 / 3 * (qx - a.x), a.y + 2 / 3 * (qy - a.y))
    c2 = (b.x + 2 / 3 * (qx - b.x), b.y + 2 / 3 * (qy - b.y))
    return Link(source=a.name, target=b.name, colour=colour, count=count,
                width=min(4.0, 0.7 + 0.6 * (count - 1)),
                points=((a.x, a.y), c1, c2, (b.x, b.y)))
