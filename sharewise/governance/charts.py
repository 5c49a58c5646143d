"""Bar and line charts as SVG, drawn on the server so a page and a PDF look the same.
Each is paired with a data table carrying the same figures for screen-reader users.

A bar whose exact value is held back (a small number) is drawn as a short hatched
stub of the same length whatever the count, labelled with the text shown in its
place, so the picture cannot give away what the table hides."""

from __future__ import annotations

import hashlib
import math
from html import escape

from sharewise.concerns.chart import PALETTE, SHAPES, _marker

INK, MUTED, RULE, BAR = "#212b32", "#4c6272", "#d8dde0", "#0072B2"
WIDTH = 680
LABEL_W = 300  # room for labels left of the bars
VALUE_W = 90  # room for the value text right of the longest bar
ROW_H, BAR_H, TOP = 26, 16, 10
STUB_W = 14


def _id(prefix: str, title: str, given: str | None) -> str:
    if given:
        return given
    return f"{prefix}-{hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:10]}"


def _fit(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _num(value: float) -> str:
    return f"{value:.1f}"


def _hatched(x: float, y: float, w: float, h: float) -> str:
    """A white box crossed by diagonal lines, clipped by hand (no SVG patterns, which
    not every PDF renderer draws)."""
    lines = []
    for k in range(-int(h), int(w), 5):
        # The line u = k + t, with u across the box and t up from its bottom edge.
        t1, t2 = max(0.0, -k), min(h, w - k)
        if t2 <= t1:
            continue
        x1, y1 = x + k + t1, y + h - t1
        x2, y2 = x + k + t2, y + h - t2
        lines.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>')
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="#ffffff" '
        f'stroke="{MUTED}" stroke-width="1"/>'
        f'<g stroke="{MUTED}" stroke-width="1">{"".join(lines)}</g>'
    )


def bar_chart(
    title: str,
    rows: list[tuple[str, float | None, str]],
    *,
    chart_id: str | None = None,
    note: str = "",
) -> str:
    """Horizontal bars. rows: (label, value, shown): value None draws a hatched stub
    rather than a bar of the value's length; shown is the text printed beside it."""
    cid = _id("bar", title, chart_id)
    height = TOP * 2 + ROW_H * max(len(rows), 1)
    plot_w = WIDTH - LABEL_W - VALUE_W
    top_value = max((v for _, v, _ in rows if v is not None), default=0) or 1
    description = note or "The table beside this chart gives the same figures."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{cid}-title {cid}-desc" class="sw-chart">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
        f'<line x1="{LABEL_W}" x2="{LABEL_W}" y1="{TOP - 4}" y2="{height - TOP + 4}" '
        f'stroke="{MUTED}"/>',
    ]
    if not rows:
        parts.append(
            f'<text x="{LABEL_W + 10}" y="{TOP + ROW_H / 2 + 5:.1f}" font-size="13" '
            f'fill="{MUTED}">Nothing to show for this period</text>'
        )
    for i, (label, value, shown) in enumerate(rows):
        y = TOP + ROW_H * i + (ROW_H - BAR_H) / 2
        text_y = y + BAR_H / 2 + 4.5
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{text_y:.1f}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(_fit(label))}</text>'
        )
        if value is None:
            parts.append(_hatched(LABEL_W + 1, y, STUB_W, BAR_H))
            end = LABEL_W + 1 + STUB_W
        else:
            w = plot_w * max(value, 0) / top_value
            if w > 0:
                parts.append(
                    f'<rect x="{LABEL_W + 1}" y="{y:.1f}" width="{w:.1f}" height="{BAR_H}" '
                    f'fill="{BAR}"/>'
                )
            end = LABEL_W + 1 + w
        parts.append(
            f'<text x="{end + 6:.1f}" y="{text_y:.1f}" font-size="13" fill="{INK}">'
            f"{escape(shown)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


LINE_H = 260
L_LEFT, L_RIGHT, L_TOP, L_BOTTOM = 60, 20, 16, 56


def _x_labels(series) -> list[str]:
    """Every x label, in order of first appearance."""
    xs: list[str] = []
    for points in series.values():
        for label, _ in points:
            if label not in xs:
                xs.append(label)
    return xs


def _line_scale(series) -> tuple[float, bool]:
    """The value at the top of the plot, and whether every value is a whole number."""
    values = [v for points in series.values() for _, v in points if v is not None]
    whole = all(float(v).is_integer() for v in values)
    top_value = max(values, default=0) or 1
    if whole:  # counts: a top that puts each of the 4 gridlines on a whole number
        top_value = max(4, math.ceil(top_value / 4) * 4)
    return top_value, whole


def _line_axes(xs, x_of, top_value: float, whole: bool, unit: str) -> list[str]:
    plot_h = LINE_H - L_TOP - L_BOTTOM
    parts = []
    for k in range(5):
        v = top_value * k / 4
        y = L_TOP + plot_h - plot_h * k / 4
        parts.append(
            f'<line x1="{L_LEFT}" x2="{WIDTH - L_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{RULE}"/>'
        )
        parts.append(
            f'<text x="{L_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{MUTED}">{escape(f"{v:.0f}" if whole or top_value >= 10 else _num(v))}'
            f"{escape(unit)}</text>"
        )
    parts.append(
        f'<line x1="{L_LEFT}" x2="{L_LEFT}" y1="{L_TOP}" y2="{L_TOP + plot_h}" stroke="{MUTED}"/>'
    )
    for i, label in enumerate(xs):
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{L_TOP + plot_h + 20}" text-anchor="middle" '
            f'font-size="12" fill="{MUTED}">{escape(_fit(label, 18))}</text>'
        )
    return parts


def _line(n: int, name: str, points, xs, x_of, y_of) -> list[str]:
    """One series: its line (split where a value is missing), markers and legend entry."""
    colour, shape = PALETTE[n % len(PALETTE)], SHAPES[n % len(SHAPES)]
    by_x = dict(points)
    segments, segment = [], []
    for i, label in enumerate(xs):
        value = by_x.get(label)
        if value is None:
            if len(segment) > 1:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x_of(i):.1f},{y_of(value):.1f}")
    if len(segment) > 1:
        segments.append(segment)
    parts = [
        f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="2"/>'
        for seg in segments
    ]
    for i, label in enumerate(xs):
        value = by_x.get(label)
        if value is not None:
            parts.append(_marker(shape, x_of(i), y_of(value), colour))
    ly = LINE_H + 22 * n + 4
    parts.append(_marker(shape, L_LEFT + 6, ly - 5, colour))
    parts.append(
        f'<text x="{L_LEFT + 20}" y="{ly}" font-size="13" fill="{INK}">'
        f"{escape(_fit(name, 70))}</text>"
    )
    return parts


def line_chart(
    title: str,
    series: dict[str, list[tuple[str, float | None]]],
    *,
    chart_id: str | None = None,
    unit: str = "",
) -> str:
    """One line per series across shared x labels (in order of first appearance), with
    a marker shape and colour per series and a legend. A None value leaves a gap."""
    cid = _id("line", title, chart_id)
    xs = _x_labels(series)
    names = list(series)
    top_value, whole = _line_scale(series)
    height = LINE_H + 22 * len(names)
    plot_w = WIDTH - L_LEFT - L_RIGHT
    plot_h = LINE_H - L_TOP - L_BOTTOM

    def x_of(i: int) -> float:
        return L_LEFT + (plot_w * (i + 0.5) / len(xs) if xs else 0)

    def y_of(value: float) -> float:
        return L_TOP + plot_h - plot_h * max(value, 0) / top_value

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{cid}-title {cid}-desc" class="sw-chart">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{len(names)} lines across {len(xs)} points; '
        "the table beside this chart gives the same figures.</desc>",
        *_line_axes(xs, x_of, top_value, whole, unit),
    ]
    for n, name in enumerate(names):
        parts += _line(n, name, series[name], xs, x_of, y_of)
    parts.append("</svg>")
    return "".join(parts)
