from django.urls import reverse

from sharewise.organisations import access
from sharewise.organisations.access import scope_for


def _waiting_for_approval(user) -> int:
    if not access.may_approve(user):
        return 0
    return (
        access.role_requests_waiting_for(user).count()
        + access.identity_links_waiting_for(user).count()
    )


def navigation(request):
    """Which parts of the service the signed-in person may use, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if getattr(request, "identity_step", None):
        # Half signed in (second factor, own password or set-up still to do): no menu.
        return {"identity_step": request.identity_step}
    limits = request.session.get("session_limits") if hasattr(request, "session") else None
    return {
        # What someone had typed when their session ran out, to put back in the form.
        "restored_draft": getattr(request, "restored_draft", None),
        # For the warning before the idle limit signs them out.
        "session_timing": {"idle": limits[0], "still_here": reverse("still_here")}
        if limits
        else None,
        "can": {
            "see_people": bool(scope_for(user).case_wide_org_ids or scope_for(user).team_ids),
            "manage_organisation": user.has_perm("organisations.manage_organisation"),
            "review_break_glass": user.has_perm("people.review_break_glass"),
            # Shown only while something waits, to keep the menu short.
            "approve_roles": _waiting_for_approval(user),
            "search_trail": user.has_perm("audittrail.search_trail"),
            "retention": user.has_perm("retention.see_review"),
            "change_policy": user.has_perm("policy.change_policy"),
            "see_sharing": user.has_perm("sharing.see_decisions"),
            "import_concerns": user.has_perm("concerns.import_concerns"),
            "governance": any(
                user.has_perm(f"governance.{p}")
                for p in ("see_findings", "hold_meetings", "supervise", "keep_learning_log")
            ),
            "review_concerns": bool(scope_for(user).managed_team_ids)
            or scope_for(user).has("safeguarding_lead"),
            "subject_access": user.has_perm("rights.see_requests"),
        },
    }
