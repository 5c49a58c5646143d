"""What left the organisation, through the API: the disclosure log, one disclosure,
its frozen PDF (downloadable with the token) and what has been shared about a person.
Read through disclosures.access, as the pages read them."""

from django.core.paginator import Paginator
from ninja import Query, Router

from sharewise.api.disclosures.schemas import (
    DisclosureLogEntry,
    DisclosureOut,
    DisclosurePage,
    DisclosureSummary,
    disclosure_out,
    name_of,
    summary,
)
from sharewise.api.inputs import Day
from sharewise.days import on_days
from sharewise.disclosures import access

router = Router(tags=["Referrals and disclosures"])

PAGE_SIZE = 50


@router.get(
    "/disclosures",
    response=DisclosurePage,
    summary="The disclosure log: what left the organisation (leads, data protection officer)",
    description="Newest first, 50 to a page. Filter by person_id (their merged records "
    "too), partner_id, template, beyond_minimum and the day it was sent (from, to; since "
    "is the same as from).",
)
def list_disclosures(
    request,
    template: str | None = Query(None, description="A template's code"),
    person_id: int | None = Query(None, description="Disclosures about this person's id"),
    partner_id: int | None = Query(None, description="Disclosures to this partner"),
    beyond_minimum: bool | None = Query(
        None, description="true: only those beyond the minimum; false: only those within it"
    ),
    from_: Day | None = Query(None, alias="from", description="Sent on or after"),  # noqa: B008
    to: Day | None = Query(None, description="Sent on or before"),  # noqa: B008
    since: Day | None = None,
    page: int = Query(1, ge=1),
):
    access.require(request.user, "disclosures.see_log")
    found = access.disclosures_visible_to(request.user)
    if template:
        found = found.filter(template=template)
    if person_id is not None:
        found = found.filter(person_id__in=access.record_ids_of(person_id))
    if partner_id is not None:
        found = found.filter(partner_id=partner_id)
    if beyond_minimum is not None:
        found = (
            found.filter(beyond_minimum__gt=0) if beyond_minimum else found.filter(beyond_minimum=0)
        )
    found = on_days(on_days(found, "sent_at", since, None), "sent_at", from_, to)
    paginator = Paginator(found.order_by("-sent_at", "-id"), PAGE_SIZE)
    current = paginator.get_page(page)
    shown = list(current.object_list)
    access.write_listed(request, "listed disclosures", shown, via="api")
    return DisclosurePage(
        count=paginator.count,
        page=current.number,
        pages=paginator.num_pages,
        results=[
            DisclosureLogEntry(
                **summary(d), person_id=d.person_id, template=d.template, sent_by=name_of(d.sent_by)
            )
            for d in shown
        ],
    )


@router.get(
    "/disclosures/{disclosure_id}",
    response=DisclosureOut,
    summary="One disclosure: exactly what was sent, to whom, how, and why",
)
def get_disclosure(request, disclosure_id: int):
    return disclosure_out(access.get_disclosure_for(request, disclosure_id, via="api"))


@router.get(
    "/disclosures/{disclosure_id}/pdf",
    url_name="disclosure_pdf_file",
    summary="The disclosure's frozen PDF, byte for byte as it was sent (application/pdf)",
    description="The same bytes as the page's download; their SHA-256 is the disclosure's "
    "sha256. Downloads are rate limited per member of staff.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def disclosure_pdf(request, disclosure_id: int):
    return access.frozen_pdf(request, disclosure_id, via="api")


@router.get(
    "/people/{person_id}/disclosures",
    response=list[DisclosureSummary],
    summary="What has been shared about a person (ready for a subject access request)",
)
def person_disclosures(request, person_id: int):
    _, found = access.disclosures_about(request, person_id, via="api")
    return [DisclosureSummary(**summary(d)) for d in found]
