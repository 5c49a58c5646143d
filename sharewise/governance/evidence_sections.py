"""The evidence pack's sections: the figures as tables, charts and sentences, every
count passed through the small-number suppression."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.safestring import mark_safe

from sharewise.governance import charts
from sharewise.governance.suppression import Cells, rate_text, small_share, suppress

# The document


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass
class Block:
    caption: str
    head: list[str]
    rows: list[list[str]]
    chart: str = ""
    text_columns: int = 1  # leading columns of words rather than numbers


@dataclass
class Section:
    key: str
    title: str
    lead: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _block(cells: Cells, caption: str, head: list[str], items: list[tuple[str, str]]) -> Block:
    """A one-column table of counts and its bar chart: items are (label, cell key)."""
    chart = charts.bar_chart(caption, [cells.bar(key, label) for label, key in items])
    return Block(
        caption,
        head,
        [[label, cells.shown(key)] for label, key in items],
        mark_safe(chart),  # noqa: S308
    )


def _counted(cells: Cells, prefix: str, rows: list[dict], total: str | None) -> list[tuple]:
    keys = [cells.add(f"{prefix}:{i}", r["count"]) for i, r in enumerate(rows)]
    if total is not None:
        cells.group(total, keys)
    return [(r["label"], k) for r, k in zip(rows, keys, strict=True)]


def _concerns_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    total = cells.add("total", f["total"])
    categories = _counted(cells, "category", f["by_category"], None)
    services = _counted(cells, "service", f["by_service"], total)
    months = _counted(cells, "month", f["by_month"], total)
    return Section(
        "concerns",
        "Concerns",
        [
            f"Concerns that happened in the period: {cells.shown(total)}.",
            "A concern about more than one kind of harm counts under each, so the "
            "categories can add up to more than the total.",
        ],
        [
            _block(cells, "Concerns by category of harm", ["Category", "Concerns"], categories),
            _block(cells, "Concerns by service", ["Service", "Concerns"], services),
            _block(cells, "Concerns by month", ["Month", "Concerns"], months),
        ],
    )


def _alerts_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    raised = cells.add("raised", f["raised"])
    decided = cells.add("decided", f["decided"])
    waiting = cells.add("waiting", f["raised"] - f["decided"])
    cells.group(raised, [decided, waiting])
    keys = []
    for i, r in enumerate(f["by_rule"]):
        row = (
            cells.add(f"r:{i}", r["raised"]),
            cells.add(f"d:{i}", r["decided"]),
            cells.add(f"w:{i}", r["raised"] - r["decided"]),
        )
        cells.group(row[0], [row[1], row[2]])
        keys.append((r["label"], row))
    for column, total in ((0, raised), (1, decided), (2, waiting)):
        cells.group(total, [row[column] for _, row in keys])
    outcomes = _counted(cells, "outcome", f["outcomes"], decided)
    chart = charts.bar_chart("Alerts raised by rule", [cells.bar(k[0], label) for label, k in keys])
    by_rule = Block(
        "Alerts raised by rule, and whether decided by the end of the period",
        ["Rule", "Raised", "Decided", "Not decided"],
        [[label] + [cells.shown(k) for k in row] for label, row in keys],
        mark_safe(chart),  # noqa: S308
    )
    median = rate_text(f["median_days_to_decision"], f["decided"], "days", t)
    return Section(
        "alerts",
        "Alerts and decisions",
        [
            f"Alerts raised in the period: {cells.shown(raised)}, of which "
            f"{cells.shown(decided)} were decided by its end.",
            f"Median time from an alert being raised to its first decision: {median}.",
        ],
        [
            by_rule,
            _block(cells, "First decisions on alerts, by outcome", ["Outcome", "Alerts"], outcomes),
        ],
    )


def _sharing_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    total = cells.add("total", f["decisions"])
    with_consent = cells.add("with", f["with_consent"])
    without = cells.add("without", f["without_consent"])
    cells.group(total, [with_consent, without])
    outcomes = _counted(cells, "outcome", f["by_outcome"], total)
    consent = _counted(cells, "consent", f["by_consent"], total)
    given = [k for (_, k), r in zip(consent, f["by_consent"], strict=True) if r["code"] == "given"]
    cells.group(without, [k for _, k in consent if k not in given])
    grounds = _counted(cells, "ground", f["override_grounds"], None)
    article_6 = _counted(cells, "a6", f["article_6"], total)
    article_9 = _counted(cells, "a9", f["article_9"], total)
    return Section(
        "sharing",
        "Sharing decisions",
        [
            f"Signed sharing decisions made in the period: {cells.shown(total)} "
            f"({cells.shown(with_consent)} where the person consented, "
            f"{cells.shown(without)} where they did not or were not asked).",
        ],
        [
            _block(cells, "Sharing decisions by outcome", ["Outcome", "Decisions"], outcomes),
            _block(cells, "Sharing decisions by consent", ["Consent", "Decisions"], consent),
            _block(
                cells,
                "Grounds relied on to share without consent",
                ["Ground", "Decisions"],
                grounds,
            ),
            _block(cells, "Lawful basis: UK GDPR Article 6", ["Basis", "Decisions"], article_6),
            _block(
                cells,
                "Condition for special category data: Article 9",
                ["Condition", "Decisions"],
                article_9,
            ),
        ],
        ["A decision can rest on more than one ground, so grounds can add up to more."],
    )


def _disclosures_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    sent = cells.add("sent", f["sent"])
    within = cells.add("within", f["within_minimum"])
    beyond = cells.add("beyond", f["beyond_minimum"])
    cells.group(sent, [within, beyond])
    templates = _counted(cells, "template", f["by_template"], sent)
    told = cells.add("told", f.get("told", 0))
    came_back = "to_partners" in f  # packs built before responses were kept lack them
    if came_back:
        partners = cells.add("to_partners", f["to_partners"])
        acked = cells.add("acknowledged", f["acknowledged"])
        in_time = cells.add("in_time", f["acknowledged_in_time"])
        opened = cells.add("opened", f["enquiries_opened"])
        not_opened = cells.add("not_opened", f["enquiries_not_opened"])
        outcomes = _counted(cells, "outcome", f["by_enquiry_outcome"], None)
        wanted = _counted(cells, "wanted", f["wanted_achieved"], None)
    blocks = [
        _block(cells, "Referrals sent by template", ["Template", "Sent"], templates),
        _block(
            cells,
            "Referrals and the minimum needed",
            ["What was sent", "Sent"],
            [
                ("No more than the minimum", within),
                ("More than the minimum, with reasons", beyond),
            ],
        ),
    ]
    lead = [f"Referrals sent in the period: {cells.shown(sent)}."]
    if "told" in f:
        lead.append(
            "Information told to partners without a referral (by phone or in person), "
            f"recorded as disclosures: {cells.shown(told)}."
        )
    if came_back:
        lead.append(
            f"Of the {cells.shown(partners)} referrals and told disclosures, the partner "
            f"acknowledged {cells.shown(acked)}, {cells.shown(in_time)} of them within "
            f"{f['chase_days']} days. Section 42 enquiries opened: {cells.shown(opened)}; "
            f"not opened: {cells.shown(not_opened)}."
        )
        blocks += [
            _block(cells, "How section 42 enquiries ended", ["Outcome", "Enquiries"], outcomes),
            _block(
                cells,
                "Whether what the person wanted was achieved",
                ["Achieved", "Outcomes"],
                wanted,
            ),
        ]
    return Section("disclosures", "Disclosures", lead, blocks)


def _audits_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    runs = cells.add("runs", f["runs"])
    raised = cells.add("raised", f["findings_raised"])
    closed = cells.add("closed", f["findings_closed"])
    criteria = _counted(cells, "criterion", f["by_criterion"], raised)
    return Section(
        "audits",
        "Audits and findings",
        [
            f"Audits run in the period: {cells.shown(runs)}. Findings they raised: "
            f"{cells.shown(raised)}. Findings closed in the period: {cells.shown(closed)}."
        ],
        [
            _block(
                cells,
                "Audits and findings",
                ["", "Count"],
                [
                    ("Audits run", runs),
                    ("Findings raised", raised),
                    ("Findings closed", closed),
                ],
            ),
            _block(cells, "Findings raised by audit question", ["Question", "Findings"], criteria),
        ],
    )


def _supervision_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    staff = cells.add("staff", f["staff"])
    supervised = cells.add("supervised", f["supervised"])
    not_supervised = cells.add("not_supervised", f["not_supervised"])
    overdue = cells.add("overdue", f["overdue"])
    up_to_date = cells.add("up_to_date", f["up_to_date"])
    sessions = cells.add("sessions", f["sessions"])
    cells.group(staff, [supervised, not_supervised])
    cells.group(staff, [overdue, up_to_date])
    return Section(
        "supervision",
        "Supervision",
        [
            f"Care workers and team managers: {cells.shown(staff)}. Supervision sessions "
            f"in the period: {cells.shown(sessions)}.",
            f"Supervision is due every {f['every_days']} days; overdue is counted as at "
            "the day the pack was made.",
        ],
        [
            _block(
                cells,
                "Supervision coverage",
                ["Staff", "Count"],
                [
                    ("Supervised in the period", supervised),
                    ("Not supervised in the period", not_supervised),
                    ("Supervision up to date now", up_to_date),
                    ("Supervision overdue now", overdue),
                ],
            )
        ],
    )


def _measure_row(m: dict, t: int) -> list[str]:
    unit = m["unit"]
    before = rate_text(m["before"], m["n_before"], unit, t)
    after = rate_text(m["after"], m["n_after"], unit, t)
    both = m["n_before"] >= t and m["n_after"] >= t and m["change"] is not None
    small = (
        both
        and unit == "%"
        and (small_share(m["before"], m["n_before"], t) or small_share(m["after"], m["n_after"], t))
    )
    if small:
        change, result = "Not shown", "Not shown: small numbers"
    elif not both:
        change, result = "Not shown", "Too few records to tell"
    else:
        change = f"{m['change']:+.1f}{'%' if unit == '%' else ' ' + (unit or 'days')}"
        result = "No change" if m["change"] == 0 else "Better" if m["improved"] else "Worse"
    if not m["after_complete"]:
        result += " (after period still running)"
    return [
        m["pattern_label"],
        m["label"],
        before,
        suppress(m["n_before"], t),
        after,
        suppress(m["n_after"], t),
        change,
        result,
    ]


def _learning_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    lessons = cells.add("lessons", f["lessons"])
    patterns = _counted(cells, "pattern", f["by_pattern"], lessons)
    agreed = cells.add("agreed", f["actions_agreed"])
    done = cells.add("done", f["actions_done"])
    still_open = cells.add("open", f["actions_open"])
    cells.group(agreed, [done, still_open])
    sources = _counted(cells, "source", f["actions_by_source"], agreed)
    blocks = [
        _block(cells, "Lessons recorded by failure pattern", ["Pattern", "Lessons"], patterns),
        _block(
            cells,
            "Actions agreed in the period",
            ["Actions", "Count"],
            [("Done by the end of the period", done), ("Still open", still_open)],
        ),
        _block(cells, "Actions agreed, by where they came from", ["Source", "Actions"], sources),
    ]
    if f["measures"]:
        blocks.append(
            Block(
                "Did the changes work? Each lesson's measure before and after the change",
                [
                    "Failure pattern",
                    "Measure",
                    "Before",
                    "Records before",
                    "After",
                    "Records after",
                    "Change",
                    "Result",
                ],
                [_measure_row(m, t) for m in f["measures"]],
                text_columns=2,
            )
        )
    return Section(
        "learning",
        "Learning",
        [
            f"Lessons recorded in the period: {cells.shown(lessons)}. Actions agreed: "
            f"{cells.shown(agreed)}, of which {cells.shown(done)} were done by its end."
        ],
        blocks,
        [
            "Each lesson is shown by the kind of failure it fits and the measure chosen to "
            "check the change, never by its title or story. Before and after each cover the "
            "same number of days either side of the change."
        ],
    )


def _training_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    assigned = cells.add("assigned", f["assigned"])
    done = cells.add("done", f["done"])
    not_done = cells.add("not_done", f["not_done"])
    on_time = cells.add("on_time", f["done_on_time"])
    late = cells.add("late", f["done"] - f["done_on_time"])
    overdue = cells.add("overdue", f["overdue"])
    cells.group(assigned, [done, not_done])
    cells.group(done, [on_time, late])
    practice = []
    for i, r in enumerate(f["attempts_by_pattern"]):
        key = cells.add(f"attempts:{i}", r["attempts"])
        practice.append((r, key))
    staff = cells.add("staff", f["staff"])
    confirmed = [(p, cells.add(f"policy:{p['kind']}", p["confirmed"])) for p in f["policies"]]
    for p, key in confirmed:
        asked = cells.add(f"asked:{p['kind']}", p["staff"])
        cells.add(f"unconfirmed:{p['kind']}", p["staff"] - p["confirmed"])
        cells.group(asked, [key, f"unconfirmed:{p['kind']}"])
    policies = Block(
        "Staff who confirmed reading the policy version in force at the end of the period, "
        "of the staff it applies to",
        ["Policy", "Staff confirmed", "Share of staff it applies to"],
        [
            [
                p["label"] + ("" if p["version"] is None else f", version {p['version']}"),
                cells.shown(key),
                rate_text(
                    100.0 * p["confirmed"] / p["staff"] if p["staff"] else None,
                    p["staff"],
                    "%",
                    t,
                ),
            ]
            for p, key in confirmed
        ],
    )
    scores = Block(
        "Practice cases finished in the period, by the failure pattern they train",
        ["Failure pattern practised", "Attempts", "Mean score"],
        [
            [r["label"], cells.shown(key), rate_text(r["mean_score"], r["attempts"], "points", t)]
            for r, key in practice
        ],
    )
    return Section(
        "training",
        "Training",
        [
            f"Training due in the period, counted once per member of staff it reached: "
            f"{cells.shown(assigned)}; done {cells.shown(done)} ({cells.shown(on_time)} "
            f"by the day it was due); overdue now {cells.shown(overdue)}.",
            f"Staff (everyone with a role but administrators): {cells.shown(staff)}.",
        ],
        [
            _block(
                cells,
                "Training due in the period",
                ["Training", "Count"],
                [
                    ("Done by the day it was due", on_time),
                    ("Done late", late),
                    ("Not done by the end of the period", not_done),
                    ("Overdue now", overdue),
                ],
            ),
            scores,
            policies,
        ],
        [
            "Practice cases are made up; scores are out of 100. Nobody is named: a mean "
            "from fewer attempts than the small-number threshold is not shown."
        ],
    )


SECTIONS = (
    ("concerns", _concerns_section),
    ("alerts", _alerts_section),
    ("sharing", _sharing_section),
    ("disclosures", _disclosures_section),
    ("audits", _audits_section),
    ("supervision", _supervision_section),
    ("learning", _learning_section),
    ("training", _training_section),
)


def sections(figures: dict, threshold: int) -> list[Section]:
    # Packs made before training was counted have no training figures.
    return [
        build_section(figures[key], threshold) for key, build_section in SECTIONS if key in figures
    ]
