"""What every FHIR resource built from Sharewise's records shares: the Export they
belong to (the person, the base address, the organisation) and the small builders of
references, codings and narratives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from django.utils import timezone

from sharewise.api.fhir import codes

CHANNELS = {
    "secure_email": "secure email",
    "portal": "an online portal or form",
    "phone": "phone",
    "letter": "letter",
    "in_person": "in person or at a meeting",
}


@dataclass
class Export:
    """What every resource about one person needs: who they are (the kept record), the
    address resources are found at, and the labels of the organisation's codes."""

    person: object  # people.models.Person, the kept record
    base: str  # absolute address of /api/v1/fhir, no trailing slash
    organisation_name: str
    category_labels: dict[str, str] = field(default_factory=dict)

    @property
    def patient(self) -> dict:
        return {"reference": f"Patient/{self.person.pk}", "display": self.person.name}

    @property
    def custodian(self) -> dict:
        return {"type": "Organization", "display": self.organisation_name}

    def url(self, resource) -> str:
        return f"{self.base}/{resource.get_resource_type()}/{resource.id}"


def instant(moment: datetime) -> datetime:
    """FHIR instants carry their zone: stored moments are aware, in UTC."""
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def staff(user, role: str = "") -> dict:
    """A member of staff named on a record, as a Reference without an address (staff
    are not exported as Practitioner resources)."""
    if user is None:
        return {"display": "Sharewise"}
    name = user.get_full_name() or user.username
    return {
        "type": "Practitioner",
        "identifier": {"system": codes.STAFF_ID, "value": str(user.pk)},
        "display": f"{name} ({role})" if role else name,
    }


def narrative(*lines: str) -> dict:
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    return {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{paragraphs}</div>',
    }


def coding(system: str, code: str, display: str | None = None) -> dict:
    """A Coding; a code is one token or words with single spaces, as FHIR requires, and a
    blank one (a field left empty) is left out rather than refused."""
    found = {"system": system}
    if code := " ".join(str(code or "").split()):
        found["code"] = code
    if display:
        found["display"] = display
    return found


def day(moment: datetime) -> str:
    return f"{timezone.localtime(instant(moment)):%-d %B %Y}"
