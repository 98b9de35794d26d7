"""The "Netwerk rond het kind" picture in the PDF: reportlab graphics for the lines, dots and
legend swatches; the names drawn as text in the fonts of their scripts (so they print and copy
like every other name in the report)."""

from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Drawing, Line, Path
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether

from meetup.reports.fonts import register_fonts
from meetup.reports.network_layout import INK, LABEL_SIZE, NetworkPicture
from meetup.reports.pdf_base import Styles, para
from meetup.reports.pdf_doc import draw_text

LEGEND_SIZE = 8.0
LEGEND_LINE = 13.0
SWATCH = 14.0


def _colour(hex_colour: str, alpha: float = 1.0) -> colors.Color:
    colour = colors.HexColor(hex_colour)
    return colors.Color(colour.red, colour.green, colour.blue, alpha=alpha)


class NetworkFigure(Flowable):
    """The picture, centred in the width it gets, with the theme legend under it."""

    def __init__(self, picture: NetworkPicture) -> None:
        super().__init__()
        self.picture = picture
        self._legend_rows: list[list[tuple[float, str, str]]] = []

    def _layout_legend(self, width: float) -> None:
        family = register_fonts()
        rows: list[list[tuple[float, str, str]]] = [[]]
        x = 0.0
        for item in self.picture.legend:
            title = item.title[:60]
            need = SWATCH + 4 + stringWidth(title, family, LEGEND_SIZE) + 14
            if rows[-1] and x + need > width:
                rows.append([])
                x = 0.0
            rows[-1].append((x, item.colour, title))
            x += need
        self._legend_rows = [row for row in rows if row]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._layout_legend(available_width)
        self.width = available_width
        self.height = self.picture.height + 6 + LEGEND_LINE * len(self._legend_rows)
        return self.width, self.height

    def draw(self) -> None:
        canv, picture = self.canv, self.picture
        left = (self.width - picture.width) / 2
        legend_height = self.height - picture.height
        top = self.height  # picture y runs down from here

        drawing = Drawing(self.width, self.height, initialFontName=register_fonts())
        for link in picture.links:
            path = Path(strokeColor=_colour(link.colour, 0.6), strokeWidth=link.width,
                        fillColor=None, strokeLineCap=1)
            (x0, y0), (x1, y1), (x2, y2), (x3, y3) = link.points
            path.moveTo(left + x0, top - y0)
            path.curveTo(left + x1, top - y1, left + x2, top - y2, left + x3, top - y3)
            drawing.add(path)
        for node in picture.nodes:
            drawing.add(Circle(left + node.x, top - node.y, node.radius,
                               fillColor=_colour(node.colour), strokeColor=colors.white,
                               strokeWidth=0.8))
        for index, row in enumerate(self._legend_rows):
            y = legend_height - 6 - LEGEND_LINE * index - LEGEND_SIZE * 0.35 - 2
            for x, colour, _title in row:
                drawing.add(Line(x, y + 3, x + SWATCH, y + 3, strokeColor=_colour(colour),
                                 strokeWidth=3, strokeLineCap=1))
        renderPDF.draw(drawing, canv, 0, 0)

        canv.saveState()
        canv.setFillColor(colors.HexColor(INK))
        room = picture.width / 2 - 10
        for node in picture.nodes:
            canv.saveState()
            canv.translate(left + node.label_x, top - node.label_y)
            canv.rotate(-node.rotation)
            draw_text(canv, 0, -LABEL_SIZE * 0.35, node.label, LABEL_SIZE, room,
                      right=node.anchor == "end")
            canv.restoreState()
        for index, row in enumerate(self._legend_rows):
            y = legend_height - 6 - LEGEND_LINE * index - LEGEND_SIZE * 0.35 - 2
            for x, _colour_hex, title in row:
                draw_text(canv, x + SWATCH + 4, y, title, LEGEND_SIZE, self.width - x)
        canv.restoreState()


def caption(picture: NetworkPicture) -> str:
    """What the picture shows, in words (the PDF cannot tag a picture with a text)."""
    text = ("Elke bol is een organisatie (groter: meer afspraken), in de kleur van het thema "
            "waarin zij de meeste afspraken heeft. Elke lijn verbindt de trekkende organisatie "
            "van een afspraak met een partner, in de kleur van het thema van de afspraak "
            "(dikker: meer afspraken).")
    if picture.organisations > len(picture.nodes):
        text += (f" De tekening toont de {len(picture.nodes)} organisaties met de meeste "
                 f"afspraken; alle {picture.organisations} staan in de tabel hieronder.")
    else:
        text += " De tabel hieronder zegt hetzelfde in woorden en getallen."
    return text


def network_figure(picture: NetworkPicture | None, s: Styles) -> list[Flowable]:
    """The picture and its caption, kept together, above the network's table."""
    if picture is None:
        return []
    return [KeepTogether([NetworkFigure(picture), para(caption(picture), s.muted)])]
