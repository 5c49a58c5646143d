"""Running a web import in the background: a queued task (concerns/tasks.py) run by
`manage.py worker`, reporting its progress on the ImportJob. Checking can be seen row
by row; saving is one transaction, invisible to other connections until it commits, so
while saving the job says only how many concerns it is saving."""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.background import queue
from sharewise.concerns import importing, tasks
from sharewise.concerns.access import import_organisations
from sharewise.concerns.models import ImportJob, ImportUpload
from sharewise.security import uploads

logger = logging.getLogger(__name__)

FAILED_UNEXPECTEDLY = (
    "Something went wrong while importing, so nothing was saved. Try again; if it happens "
    "again, tell your administrator the time you tried."
)
STOPPED = (
    "This import stopped before it finished: the background worker running it stopped "
    "three times. Nothing was imported, and the uploaded file has been removed: upload it "
    "again, and if it happens again tell your administrator."
)
GONE = "The uploaded file is no longer here: upload it again."
RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING, ImportJob.Status.SAVING)
FINISHED = (ImportJob.Status.DONE, ImportJob.Status.FAILED)
WAIT_LONG = timedelta(minutes=10)


def started_again(job_id: int) -> None:
    """Before an import runs again after its worker died: nothing was saved (saving is
    one transaction), so it starts from the top."""
    ImportJob.objects.filter(pk=job_id, status__in=RUNNING).update(
        status=ImportJob.Status.QUEUED, rows_done=0
    )


def gave_up(job_id: int) -> None:
    """When its workers kept dying: failed, saying so, and its upload removed: a
    safeguarding spreadsheet must not stay on disk."""
    ImportJob.objects.filter(pk=job_id, status__in=RUNNING).update(
        status=ImportJob.Status.FAILED,
        finished_at=timezone.now(),
        errors=[{"row": None, "column": "", "message": STOPPED}],
    )
    _remove_upload(job_id)


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
            file_name=upload.name[:255],
        )
        ImportUpload.objects.create(job=job, data=_read(upload))
        start(job)
    return job


def start(job: ImportJob) -> None:
    """Queue the import in the transaction that creates the job: both or neither."""
    tasks.run_import.enqueue(job.pk)


def run_job(job_id: int) -> None:
    """Run a queued import. Its upload is removed once it ends, whichever way; a worker
    dying mid-way leaves it for the next attempt."""
    try:
        _run(job_id)
    except queue.DATABASE_GONE:
        raise  # rolled back: the worker runs it again once the database is back
    except Exception:
        logger.exception("Import %s failed", job_id)
        _finish(
            job_id,
            ImportJob.Status.FAILED,
            errors=[{"row": None, "column": "", "message": FAILED_UNEXPECTEDLY}],
        )
    _remove_upload(job_id)


def _run(job_id: int) -> None:
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.status in FINISHED:
        return  # finished already: a task run again after its worker died
    jobs = ImportJob.objects.filter(pk=job_id)
    jobs.update(status=ImportJob.Status.CHECKING, started_at=timezone.now())
    data = ImportUpload.objects.filter(job_id=job_id).values_list("data", flat=True).first()
    try:
        if data is None:
            raise importing.FileProblem(GONE)
        table = importing.parse(bytes(data))
    except importing.FileProblem as problem:
        _finish(
            job_id,
            ImportJob.Status.FAILED,
            errors=[importing.RowError(None, "", str(problem)).as_dict()],
        )
        return
    jobs.update(rows_total=len(table.rows))

    def progress(phase, done, total):
        queue.beat()
        if phase == "checking":
            jobs.update(rows_done=done)
        elif done == 0:  # before the saving transaction begins
            jobs.update(status=ImportJob.Status.SAVING, rows_done=0, rows_total=total)

    def saved(result):
        _remove_upload(job_id)
        _finish(
            job_id,
            ImportJob.Status.DONE,
            summary=result.summary(),
            rows_done=len(result.concerns_created),
        )

    result = importing.run(
        table,
        organisation=job.organisation,
        user=job.created_by,
        progress=progress,
        every=200,
        file_name=job.file_name,
        job_id=job.pk,
        on_saved=saved,
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
    trail.seal_pending()


def _finish(job_id, status, **fields):
    ImportJob.objects.filter(pk=job_id).update(status=status, finished_at=timezone.now(), **fields)


def _remove_upload(job_id):
    # The data is in Sharewise now (or refused); a stray copy of a safeguarding
    # spreadsheet is a risk.
    ImportUpload.objects.filter(job_id=job_id).delete()


def _read(upload) -> bytes:
    upload.seek(0)
    return b"".join(upload.chunks())


def progress_of(job: ImportJob) -> int:
    """Rows checked so far. Saving is one transaction, unseen until it commits."""
    if job.status == ImportJob.Status.SAVING:
        return 0
    return job.rows_done


def waiting_long(job: ImportJob, now=None) -> bool:
    """Queued this long, no worker is taking work: worth saying, and not worth polling."""
    now = now or timezone.now()
    return job.status == ImportJob.Status.QUEUED and job.created_at < now - WAIT_LONG
