"""Running a web import in the background: a thread started once the upload is
committed, with its own database connection, reporting progress on the ImportJob.

django-tasks is the agreed home for long jobs; until it is installed with a worker,
a thread in the web process does the work (see docs/importing.md)."""

import logging
import threading

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.concerns import importing
from sharewise.concerns.access import import_organisations
from sharewise.concerns.models import ImportJob
from sharewise.organisations import background
from sharewise.security import uploads

logger = logging.getLogger(__name__)

# While an import is saving, its transaction is not visible to other connections, so
# the count saved so far is kept here (this process only) for the progress page.
saving_progress: dict[int, int] = {}
threads: list[threading.Thread] = []  # kept so tests can wait for them

FAILED_UNEXPECTEDLY = (
    "Something went wrong while importing, so nothing was saved. Try again; if it happens "
    "again, tell your administrator the time you tried."
)


STOPPED = (
    "This import stopped before it finished, most likely because Sharewise was restarted. "
    "Nothing was imported, and the uploaded file has been removed: upload it again."
)
RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING, ImportJob.Status.SAVING)


def give_up_stopped(organisations, now=None) -> int:
    """Mark imports whose thread is gone (the server restarted under them) as failed,
    saying why, and remove their uploads. Saving is one transaction, so a lost import
    saved nothing; its spreadsheet must not stay on disk."""
    now = now or timezone.now()
    ids = list(
        background.lost(
            ImportJob.objects.filter(organisation__in=organisations), RUNNING, now
        ).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    given_up = ImportJob.objects.filter(pk__in=ids, status__in=RUNNING).update(
        status=ImportJob.Status.FAILED,
        finished_at=now,
        errors=[{"row": None, "column": "", "message": STOPPED}],
    )
    for job_id in ids:
        _remove_upload(job_id)
    return given_up


def upload_problem(upload) -> str:
    """Why this uploaded file cannot be imported (too big, not a CSV file), or ""."""
    try:
        importing.check_size(upload.size)  # before anything reads it
        uploads.check_csv(upload, importing.max_bytes())  # name, then the first bytes
    except (importing.FileProblem, uploads.UploadProblem) as problem:
        return str(problem)
    return ""


def start_import(user, upload, organisation_id=None) -> ImportJob:
    """Start importing an uploaded CSV file for an organisation this safeguarding lead
    imports for (the only one, when organisation_id is not given): the job is checked
    and saved in the background, and reports its progress. PermissionDenied for anyone
    but a lead; ValidationError naming the field for a file or organisation refused."""
    organisations = import_organisations(user)
    if organisation_id is not None:
        organisation = organisations.filter(pk=organisation_id).first()
    else:
        organisation = organisations.first() if len(organisations) == 1 else None
    if organisation is None:
        raise ValidationError({"organisation": ["Choose an organisation you are a lead of"]})
    if upload is None:
        raise ValidationError({"file": ["Choose the CSV file to import"]})
    if problem := upload_problem(upload):
        raise ValidationError({"file": [problem]})
    with transaction.atomic():
        job = ImportJob.objects.create(
            organisation=organisation,
            created_by=user,
            file=upload,
            file_name=upload.name[:255],
        )
        start(job)
    return job


def start(job: ImportJob) -> None:
    """Run the import once the transaction that created the job has committed."""
    transaction.on_commit(lambda: _launch(job.pk))


def _launch(job_id: int) -> None:
    thread = threading.Thread(target=run_job, args=(job_id,), name=f"import-{job_id}", daemon=True)
    threads.append(thread)
    thread.start()


def run_job(job_id: int) -> None:
    try:
        _run(job_id)
    except Exception:
        logger.exception("Import %s failed", job_id)
        _finish(
            job_id,
            ImportJob.Status.FAILED,
            errors=[{"row": None, "column": "", "message": FAILED_UNEXPECTEDLY}],
        )
    finally:
        saving_progress.pop(job_id, None)
        _remove_upload(job_id)
        connection.close()


def _run(job_id: int) -> None:
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job_id)
    jobs.update(status=ImportJob.Status.CHECKING, started_at=timezone.now())
    try:
        with job.file.open("rb") as upload:
            table = importing.parse(upload.read())
    except importing.FileProblem as problem:
        _finish(
            job_id,
            ImportJob.Status.FAILED,
            errors=[importing.RowError(None, "", str(problem)).as_dict()],
        )
        return
    jobs.update(rows_total=len(table.rows))

    def progress(phase, done, total):
        if phase == "checking":
            jobs.update(rows_done=done)
        elif done == 0:  # before the saving transaction begins
            jobs.update(status=ImportJob.Status.SAVING, rows_done=0, rows_total=total)
        else:
            saving_progress[job_id] = done

    result = importing.run(
        table,
        organisation=job.organisation,
        user=job.created_by,
        progress=progress,
        every=200,
        file_name=job.file_name,
        job_id=job.pk,
    )
    if result.errors:
        _finish(
            job_id,
            ImportJob.Status.FAILED,
            errors=[e.as_dict() for e in result.errors],
            summary=result.summary(),
            rows_done=result.rows,
        )
        return
    _finish(
        job_id,
        ImportJob.Status.DONE,
        summary=result.summary(),
        rows_done=len(result.concerns_created),
    )
    trail.seal_pending()


def _finish(job_id, status, **fields):
    ImportJob.objects.filter(pk=job_id).update(status=status, finished_at=timezone.now(), **fields)


def _remove_upload(job_id):
    # The data is in Sharewise now (or refused); a stray copy of a safeguarding
    # spreadsheet on disk is a risk.
    job = ImportJob.objects.filter(pk=job_id).first()
    if job and job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job_id).update(file="")


def progress_of(job: ImportJob) -> int:
    """Rows checked, or concerns saved while saving."""
    if job.status == ImportJob.Status.SAVING:
        return saving_progress.get(job.pk, 0)
    return job.rows_done
