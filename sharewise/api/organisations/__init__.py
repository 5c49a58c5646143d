"""The organisation through the API: its structure, its staff and their roles, the
roles and sign-in links waiting for approval, and one's own API tokens. Each module
calls organisations.access for what it reads and the organisations operations the
pages call for what it changes, so permission and validation are the pages' own."""

from ninja import Router

from sharewise.api.organisations import approvals, staff, structure, tokens

router = Router()
router.add_router("", structure.router)
router.add_router("", staff.router)
router.add_router("", approvals.router)
router.add_router("", tokens.router)
