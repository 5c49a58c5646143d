from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audittrail", "0005_index_refused_access")]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="reason_sha256",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="entry",
            name="detail_sha256",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
    ]
