"""The one way in to referrals, disclosures and the partner directory, for the pages
and the API alike.

A referral, disclosure or partner outside the caller's scope answers 404, exactly like
one that does not exist. Every read of a person's record is written to the trail."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse

from sharewise.audittrail import trail
from sharewise.disclosures.models import (
    Agreement,
    Disclosure,
    Partner,
    Referral,
    referrals_for,
)
from sharewise.organisations.access import scope_for
from sharewise.people.access import get_person_for
from sharewise.people.models import Person
from sharewise.security import throttle
from sharewise.sharing.access import get_decision_for
from sharewise.sharing.models import SharingDecision

REFERRAL_RELATED = ("person", "decision", "organisation", "policy_version", "created_by")
DISCLOSURE_RELATED = ("person", "sent_by", "decision", "dpo_approved_by", "confirmed_by")


# Why each permission is refused, in the words the page and the API both give.
REFUSALS = {
    "disclosures.build_referral": "Only team managers and safeguarding leads build and send "
    "referrals.",
    "disclosures.approve_referral": "Only the data protection officer countersigns referrals.",
    "disclosures.see_log": "Only safeguarding leads and the data protection officer see the "
    "disclosure log.",
    "disclosures.see_disclosures": "Only team managers, safeguarding leads and the data "
    "protection officer see what has been shared.",
    "disclosures.keep_partners": "Only safeguarding leads keep the partner directory.",
    "disclosures.see_partners": "Only team managers, safeguarding leads and the data "
    "protection officer see the partner directory.",
    "disclosures.keep_agreements": "Only safeguarding leads keep information-sharing agreements.",
    "disclosures.see_agreements": "Only team managers, safeguarding leads and the data "
    "protection officer see information-sharing agreements.",
    "disclosures.record_response": "Only team managers and safeguarding leads record what "
    "came back from a disclosure.",
    "disclosures.record_told": "Only team managers and safeguarding leads record what was "
    "told to someone.",
}


def require(user, perm: str) -> None:
    """PermissionDenied, saying who may, unless the user has this permission."""
    if not user.has_perm(perm):
        raise PermissionDenied(REFUSALS[perm])


def works_on_referrals(user) -> bool:
    """Builders (team managers, leads) and countersigners (the data protection officer)."""
    return user.has_perm("disclosures.build_referral") or user.has_perm(
        "disclosures.approve_referral"
    )


def referrals_visible_to(user):
    """Referrals a user may work on: their own, or any for a lead or the data protection
    officer, about people they may see; none for anyone else."""
    if not works_on_referrals(user):
        return Referral.objects.none()
    return referrals_for(user).select_related(*REFERRAL_RELATED)


def disclosures_visible_to(user):
    """Disclosures about people this user may see, for those who see disclosures."""
    if not user.has_perm("disclosures.see_disclosures"):
        return Disclosure.objects.none()
    return Disclosure.objects.visible_to(user).select_related(*DISCLOSURE_RELATED)


def partners_visible_to(user, *, retired: bool | None = False):
    """The partners of the user's organisation: current ones, retired ones, or (None)
    both."""
    found = Partner.objects.filter(organisation_id=scope_for(user).organisation_id)
    if retired is None:
        return found
    return found.filter(retired_at__isnull=not retired)


def partners_to_choose(referral):
    """Who a referral may go to: the current partners, and the one already chosen."""
    return Partner.objects.filter(organisation_id=referral.organisation_id).filter(
        Q(retired_at__isnull=True) | Q(pk=referral.partner_id)
    )


def get_referral_for(
    request, referral_id, *, action: str = "opened referral", via: str = "page"
) -> Referral:
    """A referral the caller may work on, with the read of its person on the trail;
    otherwise Http404."""
    referral = referrals_visible_to(request.user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404("No such referral")
    get_person_for(request, referral.person_id, action=action, via=via)
    return referral


def get_disclosure_for(
    request, disclosure_id, *, action: str = "viewed disclosure", via: str = "page"
) -> Disclosure:
    """A disclosure about someone the caller may see, with the read on the trail;
    otherwise Http404."""
    disclosure = disclosures_visible_to(request.user).filter(pk=disclosure_id).first()
    if disclosure is None:
        raise Http404("No such disclosure")
    get_person_for(request, disclosure.person_id, action=action, via=via)
    return disclosure


def frozen_pdf(request, disclosure_id, *, via: str = "page") -> HttpResponse:
    """A disclosure's PDF, byte for byte as it was sent, as a download: the page and the
    API answer the same bytes. Downloads are rate limited per member of staff."""
    disclosure = get_disclosure_for(request, disclosure_id, action="downloaded disclosure", via=via)
    throttle.check_export(request)
    response = HttpResponse(bytes(disclosure.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="disclosure-{disclosure.pk}.pdf"'
    return response


def agreements_visible_to(user, *, current: bool | None = True):
    """The agreements of the user's organisation: current ones, past ones (replaced or
    retired), or (None) every version."""
    found = Agreement.objects.filter(organisation_id=scope_for(user).organisation_id)
    if current is None:
        return found
    now_current = Q(replaced_at__isnull=True, retired_at__isnull=True)
    return found.filter(now_current) if current else found.exclude(now_current)


def get_agreement_for(request, agreement_id, *, keep: bool = False) -> Agreement:
    """An agreement of the caller's organisation (any version): PermissionDenied for
    those who may not see (or, keep=True, keep) agreements, Http404 for another
    organisation's."""
    require(request.user, "disclosures.keep_agreements" if keep else "disclosures.see_agreements")
    agreement = agreements_visible_to(request.user, current=None).filter(pk=agreement_id).first()
    if agreement is None:
        raise Http404("No such agreement")
    return agreement


def get_partner_to_keep(request, partner_id) -> Partner:
    """A partner of the caller's organisation, for those who keep the directory:
    PermissionDenied for anyone else, Http404 for another organisation's partner."""
    require(request.user, "disclosures.keep_partners")
    partner = partners_visible_to(request.user, retired=None).filter(pk=partner_id).first()
    if partner is None:
        raise Http404("No such partner")
    return partner


def get_decision_to_refer(request, decision_id, *, via: str = "page") -> SharingDecision:
    """The decision to share a referral starts from, if the caller may see it."""
    return get_decision_for(request, decision_id, action="opened decision to refer", via=via)


def get_decision_for_told(request, decision_id, *, via: str = "page") -> SharingDecision:
    """The decision to share something was told under, if the caller may see it."""
    return get_decision_for(request, decision_id, action="opened decision to record told", via=via)


def disclosures_about(request, person_id, *, via: str = "page"):
    """Everything shared about one person (and the records merged into theirs), for a
    subject access request: PermissionDenied unless the caller sees disclosures, Http404
    when they may not see the person."""
    require(request.user, "disclosures.see_disclosures")
    person = get_person_for(request, person_id, action="viewed what has been shared", via=via)
    found = Disclosure.objects.filter(person_id__in=person.record_ids()).select_related("sent_by")
    return person, found.order_by("-sent_at", "-id")


def record_ids_of(person_id) -> list[int]:
    """A person's record and those merged into it: a filter by person finds them all."""
    person = Person.objects.filter(pk=person_id).first()
    return person.record_ids() if person else [person_id]


def write_listed(request, action: str, records, *, via: str = "page") -> None:
    """Naming people in a list is a read of their records: one entry for each."""
    trail.record_reads(
        request,
        action,
        sorted({r.person_id for r in records}),
        organisation_id=scope_for(request.user).organisation_id,
        **({"detail": {"via": via}} if via != "page" else {}),
    )
