"""What Your training shows a member of staff, for the page and the API alike."""

from django.urls import reverse
from django.utils import timezone

from sharewise.training import applies, assignments, receipts
from sharewise.training.models import Assignment, Attempt, Receipt

NO_CASE_ROLE = "Your training is for staff who work with people's records."


def link(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


def what_link(assignment: Assignment) -> str:
    if assignment.what == Assignment.What.CASE:
        return link("practice_case", code=assignment.case_code)
    return reverse("confirm_policy", args=[assignment.policy_kind])


def mine(user, today=None) -> dict:
    """Their assignments still to do (soonest first), the policy versions they are
    asked to confirm, their receipts and their practice attempts."""
    today = today or timezone.localdate()
    todo = [
        {
            "assigned": a,
            "title": assignments.title(a.assignment),
            "link": what_link(a.assignment),
            "overdue": a.assignment.due < today,
        }
        for a in assignments.open_for(user)
    ]
    assigned_kinds = {t["assigned"].assignment.policy_kind for t in todo}
    attempts = Attempt.objects.filter(staff=user).order_by("-started_at", "-id")[:50]
    return {
        "todo": todo,
        # A policy assigned to read shows once, as the assignment (it links to the
        # same confirmation page).
        "to_confirm": [c for c in receipts.to_confirm(user) if c.kind not in assigned_kinds],
        "receipts": [
            {"receipt": r, "title": applies.TITLES.get(r.kind, r.kind)}
            for r in Receipt.objects.filter(staff=user).order_by("-confirmed_at", "-id")[:50]
        ],
        "attempts": [
            {"attempt": a, "link": link("practice_attempt", attempt_id=a.pk)} for a in attempts
        ],
    }


def things_to_do(user) -> int:
    """Open assignments and policy versions to confirm, counted in one query, for the
    header."""
    open_ = assignments.open_for(user).order_by().values_list("pk")
    return open_.union(receipts.waiting_count_query(user), all=True).count()
