"""Everything held about one person, for a subject access response: gathered from every
app's records (and the records merged into theirs), other people's names taken out by
the same redaction referrals use, every redaction kept with its reason, and laid out as
a documented JSON structure and a PDF.

The JSON structure (FORMAT, VERSION 1): request, organisation, produced_at, notes,
person, care_record, concerns (each with amendments and review), chronology, consent,
capacity, sharing_decisions, disclosures, alerts, record_reads, redactions. Times are
ISO 8601 with their offset; every record carries its id in Sharewise."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone

from sharewise.disclosures import content as referral_content
from sharewise.disclosures import redaction
from sharewise.organisations.models import Service, Team
from sharewise.rights import gathering

FORMAT = "sharewise-subject-access"
VERSION = 1

NOTES = [
    "This is everything Sharewise holds about you, including records merged into yours.",
    "The names of other people (other people we support, family members, witnesses and "
    "anyone else named) are removed and replaced by a label in square brackets. Each "
    "removal is listed under redactions with its reason.",
    "The names of our staff acting in their professional role are included, as is usual "
    "in a response to a subject access request. A member of staff named as the alleged "
    "source of harm is not named.",
    "The record reads list who has looked at or changed your record, when, and in what "
    "role, from our audit trail.",
]

REASONS = gathering.REASONS
# Our own structure and choices from lists, never free text: left as they are, so a
# family name that is also a word of a service's name ("Rose House") stays.
STRUCTURAL = frozenset(
    {
        "where_supported",
        "service",
        "team",
        "shift",
        "categories",
        "severity",
        "sharing_view",
        "information_source",
        "status",
        "kind",
        "role",
        "channel",
        "sha256",
    }
)
# Left as they are: what the response says about itself.
UNREDACTED = frozenset(
    {"format", "version", "notes", "redactions", "request", "produced_at", "organisation"}
)


@dataclass
class Export:
    content: dict
    redactions: list = field(default_factory=list)  # as kept on the request (with party)


def chronology(content: dict) -> list:
    events = []
    for c in content["concerns"]:
        events.append((c["occurred_at"], "concern", c["id"], ", ".join(c["categories"])))
        for a in c["amendments"]:
            events.append((a["at"], "amendment", a["id"], f"Concern {c['id']}: {a['reason']}"))
        if c["review"]:
            events.append((c["review"]["at"], "review", c["id"], c["review"]["outcome"]))
    for r in content["consent"]:
        events.append((r["asked_at"], "consent", r["id"], r["outcome"]))
    for a in content["capacity"]:
        events.append((a["assessed_at"], "capacity assessment", a["id"], a["decision"]))
    for d in content["sharing_decisions"]:
        events.append((d["decided_at"], "sharing decision", d["id"], d["outcome"]))
    for x in content["disclosures"]:
        events.append((x["sent_at"], "disclosure", x["id"], f"{x['kind']} to {x['to']}"))
    for a in content["alerts"]:
        events.append((a["raised_at"], "alert", a["id"], a["status"]))
    events.sort(key=lambda e: (e[0] or "", e[1], e[2]))
    return [{"at": at, "kind": kind, "record": pk, "summary": s} for at, kind, pk, s in events]


# Other people's names -----------------------------------------------------------------


def _structure_words(organisation_id) -> set[str]:
    """The words of the organisation's service and team names ("rose", "house", "day")."""
    names = [
        *Service.objects.filter(organisation_id=organisation_id).values_list("name", flat=True),
        *Team.objects.filter(service__organisation_id=organisation_id).values_list(
            "name", flat=True
        ),
    ]
    return {word.casefold() for name in names for word in re.findall(r"\w+", name)}


def _parties(sar, source_staff) -> tuple[list[redaction.Party], set[str], set[str]]:
    """Everyone whose name comes out: every other person on the organisation's records
    and the staff named as alleged sources; and those whose names stay: the subject,
    and the staff acting in their professional role (whose full names also shield a
    family name they share with someone else, "Helen Marsh" beside an "Eileen Marsh").

    A family name alone counts as a name here (a response goes to the person, who may
    know who is meant), so each also appears as a single-name party, always linked;
    except a family name that is a word of a service's or team's name ("Day",
    "Rose"), which would otherwise take out "Day team" wherever it is written."""
    known = referral_content._parties(sar.organisation_id)
    parties = [p for p in known if p.key.startswith("person:")]
    sources = {f"staff:{pk}" for pk in source_staff}
    parties += [
        redaction.Party(p.key, p.given, p.family, "", "a member of staff")
        for p in known
        if p.key in sources
    ]
    staff = [p for p in known if p.key.startswith("staff:") and p.key not in sources]
    keep = {f"person:{pk}" for pk in sar.person.record_ids()}
    structure = _structure_words(sar.organisation_id)
    surnames = [
        redaction.Party(f"{p.key}:family", p.family, "", "", p.role)
        for p in parties
        if p.family and p.given and p.family.casefold() not in structure
    ]
    keep |= {f"{k}:family" for k in keep} | {p.key for p in staff}
    return parties + surnames + staff, keep, {s.key for s in surnames}


def _reason(key: str) -> str:
    if key.startswith("staff:"):
        return REASONS["staff_source"]
    return REASONS["person"]


def redact(gatherer, content: dict, source_staff) -> None:
    """Take other people's names out of every text of the response, in place."""
    parties, keep, linked = _parties(gatherer.sar, source_staff)
    staff_keys = {f"staff:{pk}" for pk in source_staff}
    labels = {
        p.key: (
            "[a member of staff]" if p.key.split(":family")[0] in staff_keys else "[another person]"
        )
        for p in parties
    }
    parties = [
        redaction.Party(p.key, p.given, p.family, p.preferred, labels[p.key].strip("[]"))
        for p in parties
    ]
    linked |= (gatherer.linked | {f"staff:{pk}" for pk in source_staff}) - keep
    index = redaction.build_index(parties, linked=linked)

    def walk(value, section, record, path):
        if isinstance(value, str):
            spans = redaction.find(value, index, keep=keep)
            for span in spans:
                key = span.key.removesuffix(":family")
                gatherer.redactions.append(
                    {
                        "section": section,
                        "record": record,
                        "field": path,
                        "where": gathering.where(section, record, path),
                        "label": span.label,
                        "reason": _reason(key),
                        "party": key,
                    }
                )
            return redaction.apply(value, spans) if spans else value
        if isinstance(value, list):
            return [walk(v, section, record, path) for v in value]
        if isinstance(value, dict):
            record = value.get("id", record) if isinstance(value.get("id"), int) else record
            return {
                k: v if k in STRUCTURAL else walk(v, section, record, f"{path}.{k}" if path else k)
                for k, v in value.items()
            }
        return value

    for section in list(content):
        if section not in UNREDACTED:
            content[section] = walk(content[section], section, None, "")


def gather(sar) -> Export:
    """The response to a subject access request, as it would be sent now."""
    g = gathering.Gatherer(sar)
    concerns = g.concerns()
    content = {
        "format": FORMAT,
        "version": VERSION,
        "request": {
            "id": sar.pk,
            "received_on": sar.received_on.isoformat(),
            "deadline": sar.deadline.isoformat(),
        },
        "organisation": sar.organisation.name,
        "produced_at": timezone.localtime().isoformat(),
        "notes": NOTES,
        "person": g.person_section(),
        "care_record": g.care_record(),
        "concerns": concerns,
        "consent": g.consent(),
        "capacity": g.capacity(),
        "sharing_decisions": g.decisions(),
        "disclosures": g.disclosures(),
        "alerts": g.alerts([c["id"] for c in concerns]),
        "record_reads": g.reads(),
    }
    content["chronology"] = chronology(content)
    redact(g, content, g.source_staff)
    content["redactions"] = [{k: v for k, v in r.items() if k != "party"} for r in g.redactions]
    return Export(content, g.redactions)


def canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, indent=1).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_html(content: dict) -> str:
    return render_to_string("rights/export_document.html", {"c": content})


def render_pdf(content: dict) -> bytes:
    return referral_content.render_pdf(render_html(content))
