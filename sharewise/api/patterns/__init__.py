"""The patterns app's API: alerts and cases for decision (with a person's risk score
and the pattern policy), and the oversight dashboard, notifications and trying
proposed rules."""

from ninja import Router

from sharewise.api.patterns import alerts, oversight

router = Router()
router.add_router("", alerts.router)
router.add_router("", oversight.router)
