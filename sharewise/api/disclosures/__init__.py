"""Referrals and disclosures: building a referral from a decision to share, previewing,
countersigning and sending it, the disclosure log and the partner directory. The same
access rules and changes as the pages: disclosures.access fetches, disclosures.referrals
and disclosures.partners change; these routers only check and answer."""

from ninja import Router

from sharewise.api.disclosures import agreements, partners, records, referrals

router = Router()
router.add_router("", referrals.router)
router.add_router("", records.router)
router.add_router("", partners.router)
router.add_router("", agreements.router)
