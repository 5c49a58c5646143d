from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from the data migration before it, so PostgreSQL alters a table with no
    updates pending in the same transaction."""

    dependencies = [("organisations", "0004_every_token_expires")]

    operations = [
        migrations.AlterField(
            model_name="apitoken", name="expires_at", field=models.DateTimeField()
        )
    ]
