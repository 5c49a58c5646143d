"""The concerns-over-time chart as SVG, built on the server so it looks the same on a
page and in a PDF. Severity up the side, time along the bottom, one colour and one
marker shape per team, so three teams each seeing something shows at a glance.
A data table beside it carries the same facts for screen-reader users."""

from collections import Counter
from datetime import datetime, timedelta
from html import escape

# Colour-blind-safe (Okabe-Ito) colours, each paired with its own marker shape.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
SHAPES = ["circle", "square", "triangle", "diamond"]
SEVERITIES = [
    ("low", "Low"),
    ("moderate", "Moderate"),
    ("high", "High"),
    ("immediate", "Immediate danger"),
]

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 130, 20, 20, 60


def _marker(shape, x, y, colour):
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 5.5:.1f}" y="{y - 5.5:.1f}" width="11" height="11" fill="{colour}"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - 7:.1f} L{x + 7:.1f} {y + 5:.1f} L{x - 7:.1f} {y + 5:.1f} Z" fill="{colour}"/>'
    return f'<path d="M{x:.1f} {y - 7:.1f} L{x + 7:.1f} {y:.1f} L{x:.1f} {y + 7:.1f} L{x - 7:.1f} {y:.1f} Z" fill="{colour}"/>'


def team_styles(teams: list[str]) -> dict[str, tuple[str, str]]:
    return {t: (PALETTE[i % len(PALETTE)], SHAPES[i % len(SHAPES)]) for i, t in enumerate(teams)}


def svg(points: list[tuple[datetime, str, str]], title: str) -> str:
    """points: (when, severity code, team label). Returns an accessible SVG string."""
    teams = sorted({p[2] for p in points})
    styles = team_styles(teams)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 24 * len(teams)}" '
        f'role="img" aria-labelledby="chart-title chart-desc" class="sw-chart">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{len(points)} concerns plotted by date and severity, one colour and shape per team; '
        "the table below gives the same figures.</desc>",
    ]
    rank = {code: i for i, (code, _) in enumerate(SEVERITIES)}
    for i, (_, label) in enumerate(SEVERITIES):
        y = TOP + plot_h - (i + 0.5) * plot_h / len(SEVERITIES)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d8dde0"/>'
        )
        parts.append(
            f'<text x="{LEFT - 10}" y="{y + 5:.1f}" text-anchor="end" font-size="14" fill="#212b32">{label}</text>'
        )
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#4c6272"/>')
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#4c6272"/>'
    )
    if points:
        start = min(p[0] for p in points)
        end = max(p[0] for p in points)
        span = max((end - start).total_seconds(), 86400.0)
        start = start - timedelta(seconds=span * 0.03)
        span *= 1.06
        last_label = None
        for k in range(5):
            when = start + timedelta(seconds=span * k / 4)
            label = f"{when:%-d %B %Y}"
            if label == last_label:
                continue  # a short span would repeat the same date
            last_label = label
            x = LEFT + plot_w * k / 4
            anchor = "start" if k == 0 else "end" if k == 4 else "middle"
            parts.append(
                f'<text x="{x:.1f}" y="{TOP + plot_h + 22}" text-anchor="{anchor}" '
                f'font-size="13" fill="#4c6272">{label}</text>'
            )
        for when, severity, team in sorted(points):
            x = LEFT + plot_w * (when - start).total_seconds() / span
            y = TOP + plot_h - (rank.get(severity, 0) + 0.5) * plot_h / len(SEVERITIES)
            colour, shape = styles[team]
            parts.append(_marker(shape, x, y, colour))
    for i, team in enumerate(teams):
        colour, shape = styles[team]
        x = LEFT
        y = HEIGHT - 10 + 24 * i
        parts.append(_marker(shape, x, y - 5, colour))
        parts.append(
            f'<text x="{x + 14}" y="{y}" font-size="14" fill="#212b32">{escape(team)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def table(
    points: list[tuple[datetime, str, str]],
) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """Concerns per month per team: (team columns, rows of (month, counts, total))."""
    teams = sorted({p[2] for p in points})
    counts = Counter((p[0].strftime("%Y-%m"), p[2]) for p in points)
    months = sorted({m for m, _ in counts}, reverse=True)
    rows = []
    for month in months:
        values = [counts[(month, t)] for t in teams]
        label = datetime.strptime(month, "%Y-%m").strftime("%B %Y")
        rows.append((label, values, sum(values)))
    return teams, rows
