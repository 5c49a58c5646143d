"""What waits for someone in sharing: decisions they may countersign, refusals whose
review is due within a week, questions they may answer, their own drafts, and the
latest decisions. The page and the API show the same list."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.sharing import access
from sharewise.sharing.models import SharingDecision

RECENT = 25


@dataclass
class Work:
    waiting: list
    due: list
    questions: list
    drafts: list
    recent: list


def work_for(request, *, via="page") -> Work:
    """The user's sharing work, each person it names written to the trail. For those
    who see decisions (managers, leads, the data protection officer)."""
    user = request.user
    if not user.has_perm("sharing.see_decisions"):
        raise PermissionDenied(
            "Only team managers, safeguarding leads and the data protection officer see sharing work."
        )
    visible = access.decisions_visible_to(user).select_related("person", "decided_by")
    waiting = [
        d
        for d in visible.filter(status=SharingDecision.Status.AWAITING_COUNTERSIGN)
        if user.has_perm("sharing.countersign", d)
    ]
    due = list(
        visible.standing_refusals()
        .filter(review_date__lte=timezone.localdate() + timedelta(days=7))
        .order_by("review_date")
    )
    questions = (
        list(access.advice_visible_to(user).filter(answered_at__isnull=True))
        if user.has_perm("sharing.answer_advice")
        else []
    )
    drafts = list(access.drafts_visible_to(user).filter(author=user).select_related("person"))
    recent = list(visible.order_by("-decided_at", "-id")[:RECENT])
    work = Work(waiting, due, questions, drafts, recent)
    people = {d.person_id for d in waiting + due + recent + drafts}
    people |= {q.person_id for q in questions if q.person_id}
    trail.record_reads(
        request,
        "listed sharing work",
        sorted(people),
        organisation_id=scope_for(user).organisation_id,
        detail={"via": via},
    )
    return work
