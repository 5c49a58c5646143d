"""Indexes for the queue's own reads: recovery looks at running tasks every few seconds,
and pruning deletes finished ones by age; django-tasks-db indexes only waiting tasks,
and the table holds every task ever run until it is pruned."""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"


class Migration(migrations.Migration):
    dependencies = [
        ("background", "0001_workers_and_ticks"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]
    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS background_tasks_running ON {TABLE} (status)"
            " WHERE status = 'RUNNING'",
            "DROP INDEX IF EXISTS background_tasks_running",
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS background_tasks_finished_at ON {TABLE} (finished_at)",
            "DROP INDEX IF EXISTS background_tasks_finished_at",
        ),
    ]
