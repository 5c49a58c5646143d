"""Consent, capacity assessments, the sharing decision framework, sharing decisions,
countersignatures, amendments and advice: the same scope, permissions and changes as
the pages. Handlers only fetch (sharing.access) and call sharing.decisions."""

from ninja import Router

from sharewise.api.sharing import advice, assess, decisions, records

router = Router()
router.add_router("", records.router)
router.add_router("", assess.router)
router.add_router("", decisions.router)
router.add_router("", advice.router)
