"""Before new pattern rules are saved, the policy page shows what they would have done
over the last three months beside the rules in force (counts only: no one is named).
Three months, not a year, keeps the page quick for a large organisation (100,000
concerns: about 5 seconds, against 14 for a year); the backtest page tries any period."""

from datetime import timedelta

from django.utils import timezone

from sharewise.patterns import backtest
from sharewise.patterns.models import RULE_TITLES
from sharewise.policy import editing
from sharewise.policy.documents import PatternPolicy

LOOK_BACK_DAYS = 90


def preview(request, kind, organisation_id, document) -> dict | None:
    if kind != "patterns":
        return None
    end = timezone.localdate()
    start = end - timedelta(days=LOOK_BACK_DAYS)
    proposed = PatternPolicy.model_validate(document)
    now, new = backtest.compare(organisation_id, start, end, proposed, reader=request.user)
    # Each rule by the title the form above gives it.
    titles = {g.settings[0].path[0]: g.title for g in editing.groups("patterns", document)}
    return {
        "template": "patterns/_policy_preview.html",
        "start": start,
        "end": end,
        "in_force": now,
        "proposed": new,
        "totals": [
            (
                titles.get(rule, RULE_TITLES[rule]),
                now.totals.get(rule, 0),
                new.totals.get(rule, 0),
            )
            for rule in new.totals
        ],
    }
