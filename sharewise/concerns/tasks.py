"""Concerns work queued for `manage.py worker`: web imports and the emails about an
urgent concern. An import saves everything, and marks itself done, in one transaction,
so running it again after a worker died saves nothing twice."""

from django_tasks import task

from sharewise.background import queue


@task()
def run_import(job_id: int) -> None:
    from sharewise.concerns import importjobs

    importjobs.run_job(job_id)


@task()
def send_urgent_emails(addresses: list[str], message: str, link: str) -> None:
    from sharewise.concerns import urgent

    urgent.send_email(addresses, message, link)


def _started_again(job_id: int) -> None:
    from sharewise.concerns import importjobs

    importjobs.started_again(job_id)


def _gave_up(job_id: int) -> None:
    from sharewise.concerns import importjobs

    importjobs.gave_up(job_id)


queue.watch(run_import, on_retry=_started_again, on_give_up=_gave_up)
