"""Evidence packs: asking for one, following it, and downloading its files."""

from datetime import date

from django.http import Http404
from ninja import Field, Query, Schema, Status

from sharewise.api.governance.common import PeriodIn, router
from sharewise.governance import access, operations
from sharewise.governance.models import EvidencePack

FORMS = ("pdf", "html")


class EvidencePackOut(Schema):
    id: int
    period_from: date
    period_to: date
    status: str = Field(description="queued, running, done or failed")
    progress: int
    step: str
    sha256: str = Field(description="Of the PDF, once done")
    pdf_url: str | None = Field(description="Download the PDF (with the same token), once done")
    html_url: str | None
    error: str


def _pack_out(p: EvidencePack) -> EvidencePackOut:
    done = operations.is_ready(p)
    return EvidencePackOut(
        id=p.pk,
        period_from=p.period_from,
        period_to=p.period_to,
        status=p.status,
        progress=p.progress,
        step=p.step,
        sha256=p.sha256,
        pdf_url=f"/api/v1/evidence-packs/{p.pk}/pdf" if done else None,
        html_url=f"/api/v1/evidence-packs/{p.pk}/html" if done else None,
        error=p.error,
    )


@router.get(
    "/evidence-packs",
    response=list[EvidencePackOut],
    summary="The newest evidence packs you may open",
)
def list_evidence_packs(
    request, status: str = Query("", description="queued, running, done or failed")
):
    return [
        _pack_out(p)
        for p in access.packs_visible_to(request.user)
        if not status or p.status == status
    ]


@router.post(
    "/evidence-packs",
    response={202: EvidencePackOut},
    summary="Build a de-identified evidence pack for a period (in the background)",
)
def build_evidence_pack(request, payload: PeriodIn):
    pack = operations.build_evidence_pack(request, payload.period_from, payload.period_to)
    return Status(202, _pack_out(pack))


@router.get(
    "/evidence-packs/{pack_id}",
    response=EvidencePackOut,
    summary="An evidence pack's status, progress and download links",
)
def get_evidence_pack(request, pack_id: int):
    return _pack_out(access.get_pack_for(request, pack_id))


@router.get(
    "/evidence-packs/{pack_id}/{form}",
    summary="Download an evidence pack's file: pdf or html (the file itself, once done)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, as an attachment",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def download_evidence_pack(request, pack_id: int, form: str):
    pack = access.get_pack_for(request, pack_id, files=True)
    if form not in FORMS or not operations.is_ready(pack):
        raise Http404("No such file, or the pack is not ready")
    return operations.evidence_pack_file(request, pack, form, via="api")
