"""What the record itself says about sharing without consent: the grounds its concerns
and alerts propose (risk questions ticked, categories that are crimes, a member of
staff implicated, an alleged source reaching others), and the cues in its words. The
framework (framework.py, cues.py) judges them; this module only reads them, from what
the viewer may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from sharewise.concerns.models import Amendment, SourceKind
from sharewise.patterns.models import RULE_TITLES, AlertConcern
from sharewise.sharing import cues as cuelib
from sharewise.sharing.framework import Proposal

# Text the cues read, as recorded or amended.
TEXT = ("facts", "persons_words", "persons_wishes", "sharing_view_reason", "source_description")
LOOKED_AT = 200  # the most recent concerns in the window are enough to raise a question
SHOWN = 4  # pieces of evidence named for one ground
# Alerts whose pattern says someone besides this person may be at risk.
OTHERS = {"common_source": "others_at_risk", "same_harm_at_service": "others_at_risk"}


@dataclass(frozen=True)
class Record:
    categories: tuple[str, ...]
    proposals: tuple[Proposal, ...]
    cues: tuple[cuelib.Cue, ...]
    staff_implicated: bool


def _where(pk: int, when: datetime) -> str:
    return f"concern {pk} ({timezone.localtime(when):%-d %B %Y})"


def _shown(what: str, where: list[str]) -> str:
    """One piece of evidence: what the record shows, and in which concerns."""
    where = list(dict.fromkeys(where))
    if not where:
        return what
    if len(where) > SHOWN:
        where = [*where[:SHOWN], f"{len(where) - SHOWN} more"]
    return f"{what}: {', '.join(where)}"


def _rows(concerns, chosen, since) -> list[dict]:
    """The concerns read (chosen, or within the window), as amended."""
    rows = list(
        concerns.filter(Q(pk__in=list(chosen)) | Q(occurred_at__gte=since))
        .order_by("-occurred_at", "-id")
        .values(
            "pk",
            "occurred_at",
            "categories",
            "risk_indicators",
            "source_staff_id",
            "source_kind",
            *TEXT,
        )[:LOOKED_AT]
    )
    by_pk = {row["pk"]: row for row in rows}
    for concern_id, changes in (
        Amendment.objects.filter(concern_id__in=by_pk).order_by("amended_at", "id")
    ).values_list("concern_id", "changes"):
        for name, change in changes.items():
            if name in by_pk[concern_id]:
                by_pk[concern_id][name] = change["to"]
    return rows


def _concern_evidence(rows, recording, evidence) -> tuple[dict, list]:
    """(categories seen, texts to read for cues); each ground's evidence added to
    evidence (ground -> what the record shows -> where it shows it)."""
    crimes = {c.code: c.label.lower() for c in recording.categories if c.crime}
    indicators = {i.code: i for i in recording.risk_indicators}
    categories: dict[str, None] = {}
    texts = []
    for row in rows:
        where = _where(row["pk"], row["occurred_at"])
        for code in row["categories"] or ():
            categories.setdefault(code, None)
            if code in crimes:
                evidence["crime"][f"Recorded as {crimes[code]}"].append(where)
        for code in row["risk_indicators"] or ():
            if indicator := indicators.get(code):
                said = indicator.label[0].lower() + indicator.label[1:]
                evidence[indicator.ground][f"Ticked '{said}'"].append(where)
        if row["source_staff_id"] or row["source_kind"] == SourceKind.STAFF:
            evidence["staff_implicated"][
                "A member of staff named as the alleged source of harm"
            ].append(where)
        texts += [(where, row[name]) for name in TEXT if row[name]]
    return categories, texts


def _alert_and_staff_evidence(concerns, alerts, evidence) -> bool:
    """Alerts saying others may be at risk or staff are implicated; whether staff are
    implicated anywhere in the history (not only in the window)."""
    for alert_id, rule in alerts.filter(
        rule__in=[*OTHERS, "staff_implicated"],
        pk__in=AlertConcern.objects.filter(concern__in=concerns).values("alert_id"),
    ).values_list("pk", "rule"):
        ground = OTHERS.get(rule, "staff_implicated")
        evidence[ground][f"Alert {alert_id} ({RULE_TITLES[rule].lower()})"] = []
    staff = bool(evidence["staff_implicated"]) or (
        concerns.filter(Q(source_staff__isnull=False) | Q(source_kind=SourceKind.STAFF)).exists()
    )
    if staff and not evidence["staff_implicated"]:
        evidence["staff_implicated"][
            "An earlier concern names a member of staff as the alleged source of harm"
        ] = []
    return staff


def read(concerns, alerts, *, chosen=(), at: datetime, sharing, recording) -> Record:
    """concerns, alerts: querysets of what the viewer may see about the person (all
    their concerns; alerts needing a decision). chosen: the concerns the decision is
    about, read whatever their age; others within the policy's window."""
    rows = _rows(concerns, chosen, at - timedelta(days=sharing.record_window_days))
    # ground -> what the record shows -> where it shows it
    evidence: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    categories, texts = _concern_evidence(rows, recording, evidence)
    staff = _alert_and_staff_evidence(concerns, alerts, evidence)
    cues = cuelib.questions(texts, sharing.cues, evidence)
    known = {g.code for g in sharing.override_grounds}
    proposals = tuple(
        Proposal(ground, tuple(_shown(what, where) for what, where in found.items()))
        for ground, found in evidence.items()
        if found and ground in known
    )
    return Record(
        categories=tuple(categories),
        proposals=proposals,
        cues=tuple(cues),
        staff_implicated=staff,
    )
