"""Pattern work queued for `manage.py worker`: the emails telling readers of alerts,
and the sweep (time-based rules, risk scores, the other apps' due steps), which the
scheduler queues every few minutes."""

import dataclasses

from django_tasks import task


@task()
def send_alert_emails(emails: dict[str, list[list[str]]]) -> None:
    from sharewise.patterns import notifying

    notifying.send_emails(emails)


@task()
def sweep() -> dict:
    from sharewise.audittrail import trail
    from sharewise.patterns import sweep as sweeping

    swept = sweeping.run()
    trail.seal_pending(everything=True)
    return dataclasses.asdict(swept)
