"""The people routers, as one: merges first, so that /people/merge and /people/merges
are not taken for a person's id."""

from ninja import Router

from sharewise.api.people import break_glass, care_record, merges, records

router = Router()
router.add_router("", merges.router)
router.add_router("", records.router)
router.add_router("", break_glass.router)
router.add_router("", care_record.router)
