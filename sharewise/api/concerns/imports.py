"""Importing people and concerns from a CSV file, as the Import page does: the same
checks (concerns.importjobs.start_import), the same job, its progress read back."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from ninja import File, Query, Status, UploadedFile

from sharewise.api.concerns import router
from sharewise.api.concerns.out import name
from sharewise.api.concerns.schemas import ImportJobOut
from sharewise.concerns import importjobs
from sharewise.concerns.access import get_import_job_for

CSV_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "text/csv": {"schema": {"type": "string"}},
        }
    }
}

UPLOAD = File(None, description="The CSV file, as multipart/form-data")


def job_out(job) -> ImportJobOut:
    return ImportJobOut(
        id=job.pk,
        organisation_id=job.organisation_id,
        file_name=job.file_name,
        status=job.status,
        created_at=job.created_at,
        created_by=name(job.created_by),
        started_at=job.started_at,
        finished_at=job.finished_at,
        rows_total=job.rows_total,
        rows_done=importjobs.progress_of(job),
        summary=job.summary,
        errors=job.errors,
    )


def _upload(request, file, file_name):
    if file is not None:
        return file
    if request.content_type == "text/csv" and request.body:
        return SimpleUploadedFile(file_name or "import.csv", request.body, "text/csv")
    return None


@router.post(
    "/imports",
    response={202: ImportJobOut},
    summary="Import people and concerns from a CSV file (safeguarding leads)",
    openapi_extra=CSV_BODY,
)
def start_import(
    request,
    file: UploadedFile | None = UPLOAD,
    organisation_id: int | None = Query(
        None, description="Needed only by a lead of more than one organisation"
    ),
    file_name: str | None = Query(
        None, description="With a text/csv body: the file's name, kept on the job"
    ),
):
    """Send the file as multipart/form-data (field `file`) or as a text/csv body; the
    columns are those of the import page's column reference. The job checks every row
    and imports nothing unless all are good: follow it with GET /api/v1/imports/{job_id}."""
    try:
        job = importjobs.start_import(
            request.user, _upload(request, file, file_name), organisation_id
        )
    except ValidationError as error:
        raise ValidationError(
            {
                ("organisation_id" if k == "organisation" else k): v
                for k, v in error.message_dict.items()
            }
        ) from None
    return Status(202, job_out(get_import_job_for(request.user, job.pk)))


@router.get(
    "/imports/{job_id}",
    response=ImportJobOut,
    summary="An import's progress and result (safeguarding leads)",
)
def import_progress(request, job_id: int):
    return job_out(get_import_job_for(request.user, job_id))
