"""What training adds to the oversight dashboard: coverage by team, for leads and team
managers, counted from the teams they see."""

from django.template.loader import render_to_string
from django.urls import reverse

from sharewise.training import figures


def dashboard_panel(request) -> str:
    if not request.user.has_perm("training.see_coverage"):
        return ""
    rows = figures.coverage_by_team(request.user)
    if not rows:
        return ""
    return render_to_string(
        "training/panel_coverage.html",
        {
            "rows": rows,
            "recent_days": figures.RECENT_DAYS,
            "assignments_url": reverse("assignments"),
        },
        request=request,
    )
