"""The evidence pack: a de-identified account of a period for commissioners and
inspectors, as figures, one HTML document and its PDF, built in the background.

What it holds is counts, rates and medians only, under labels the organisation's
policies define (categories, rules, grounds, templates, services). It never holds a
name, date of birth, NHS number or anything staff typed: lesson titles, reasons and
notes are left out, a lesson being shown by its failure pattern and measure.

Small numbers are suppressed by the rules in governance/suppression.py."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.background import queue
from sharewise.concerns.models import Concern
from sharewise.governance import jobs, tasks
from sharewise.governance.evidence_figures import bounds, figures
from sharewise.governance.evidence_sections import long_date, sections
from sharewise.governance.models import (
    EvidencePack,
    Job,
)
from sharewise.patterns.models import AlertConcern
from sharewise.policy import store

logger = logging.getLogger(__name__)


MAX_YEARS = 2
FAILED = (
    "Something went wrong while building the evidence pack. Try again; if it happens "
    "again, tell your administrator the time you tried."
)


def render_html(org_name: str, start: date, end: date, figures: dict, threshold: int) -> str:
    """The pack as one standalone HTML document: every count through suppress."""
    generated = figures.get("generated_at")
    made = (
        timezone.localdate(datetime.fromisoformat(generated)) if generated else timezone.localdate()
    )
    return render_to_string(
        "governance/evidence_document.html",
        {
            "organisation": org_name,
            "period": f"{long_date(start)} to {long_date(end)}",
            "generated": long_date(made),
            "threshold": threshold,
            "sections": sections(figures, threshold),
            "trail_head": figures.get("trail_head"),
        },
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: Pango is only needed to draw PDFs

    return HTML(string=html).write_pdf()


# Requesting and building


def period_problems(period_from, period_to, today: date | None = None) -> dict[str, str]:
    """What is wrong with a requested period, by field."""
    return jobs.period_problems(period_from, period_to, MAX_YEARS, today)


def start(request, org_id: int, period_from: date, period_to: date) -> EvidencePack:
    """Queue a pack for the period; it is built in the background once saved.
    Raises ValidationError({field: message}) and saves nothing for a bad period."""
    if found := period_problems(period_from, period_to):
        raise ValidationError(found)
    with transaction.atomic():
        pack = EvidencePack.objects.create(
            organisation_id=org_id,
            period_from=period_from,
            period_to=period_to,
            requested_by=request.user,
            step="Waiting to start",
        )
        trail.record_request(
            request,
            "evidence_pack.request",
            object_type="evidence_pack",
            object_id=pack.pk,
            organisation_id=org_id,
            detail={"from": period_from.isoformat(), "to": period_to.isoformat()},
        )
        tasks.build_evidence_pack.enqueue(pack.pk)  # queued in this transaction
    return pack


def build(pack_id: int) -> None:
    """Count, write and print the pack, reporting progress on its row."""
    packs = EvidencePack.objects.filter(pk=pack_id)

    def progress(percent: int, step: str) -> None:
        packs.update(progress=percent, step=step)
        queue.beat()

    try:
        pack = EvidencePack.objects.select_related("organisation").get(pk=pack_id)
        if pack.status in (Job.DONE, Job.FAILED):
            return  # finished already: a task run again after its worker died
        packs.update(status=Job.RUNNING, started_at=timezone.now(), progress=0, step="Starting")
        org_id = pack.organisation_id
        _, policy = store.in_force(org_id, "governance")
        data = figures(org_id, pack.period_from, pack.period_to, progress, pack.requested_by_id)
        progress(75, "Writing the document")
        html = render_html(
            pack.organisation.name, pack.period_from, pack.period_to, data, policy.small_number
        )
        progress(85, "Making the PDF")
        pdf = render_pdf(html)
        packs.update(
            status=Job.DONE,
            progress=100,
            step="Finished",
            figures=data,
            html=html,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            finished_at=timezone.now(),
            error="",
        )
    except queue.DATABASE_GONE:
        raise  # the worker runs it again once the database is back
    except Exception:
        logger.exception("Evidence pack %s failed", pack_id)
        packs.update(status=Job.FAILED, step="Failed", error=FAILED, finished_at=timezone.now())


def hidden_from(pack, user) -> bool:
    return pack.pk in hidden_packs([pack], user)


def hidden_packs(packs, user) -> set[int]:
    """A pack counts what its requester may see; anyone else named as the alleged
    source in a concern or alert of its period may not open it (its counts would tell
    them of it): they build their own. Ids of those among `packs` hidden from user."""
    others = [p for p in packs if p.requested_by_id != user.pk]
    if not others:
        return set()
    orgs = {p.organisation_id for p in others}
    moments = list(
        Concern.objects.filter(organisation_id__in=orgs, source_staff=user).values_list(
            "organisation_id", "occurred_at"
        )
    )
    moments += AlertConcern.objects.filter(
        concern__source_staff=user, alert__organisation_id__in=orgs
    ).values_list("alert__organisation_id", "alert__raised_at")
    hidden = set()
    for pack in others:
        lo, hi = bounds(pack.period_from, pack.period_to)
        if any(o == pack.organisation_id and lo <= at < hi for o, at in moments):
            hidden.add(pack.pk)
    return hidden
