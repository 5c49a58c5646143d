"""An index for /healthz's count of tasks that failed in the last hour: the task table
keeps every finished task, and only waiting ones are indexed by django-tasks-db."""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
INDEX = "sharewise_tasks_failed_at"


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_throttle_cache"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]
    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (finished_at) WHERE status = 'FAILED'",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
