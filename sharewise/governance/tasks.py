"""Governance work queued for `manage.py worker`: audit runs and evidence packs. Each
saves its results in one transaction at the end and skips a record already finished,
so running it again after a worker died is safe."""

from django_tasks import task

from sharewise.background import queue
from sharewise.governance import jobs


@task()
def run_audit(run_id: int) -> None:
    from sharewise.governance import audits

    audits.run(run_id)


@task()
def build_evidence_pack(pack_id: int) -> None:
    from sharewise.governance import evidence

    evidence.build(pack_id)


def _model(name):
    from sharewise.governance import models

    return getattr(models, name)


queue.watch(
    run_audit,
    on_retry=lambda pk: jobs.started_again(_model("AuditRun"), pk),
    on_give_up=lambda pk: jobs.gave_up(_model("AuditRun"), pk),
)
queue.watch(
    build_evidence_pack,
    on_retry=lambda pk: jobs.started_again(_model("EvidencePack"), pk),
    on_give_up=lambda pk: jobs.gave_up(_model("EvidencePack"), pk),
)
