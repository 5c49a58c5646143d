"""A task for the queue's fault tests (tests/test_processes.py): it leaves one mark per
number, as every real task does its work, so that running it again adds nothing."""

import time

from django.db import connection
from django_tasks import task


@task()
def leave_a_mark(n: int) -> None:
    time.sleep(0.02)  # long enough to be killed part-way now and then
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO fault_marks (n) VALUES (%s) ON CONFLICT (n) DO NOTHING", [n])
