"""Every API token expires: tokens made before expiry existed get the access policy's
longest lifetime from today, so nothing using one stops without warning today."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

DEFAULT_MAX_DAYS = 90


def _max_days(PolicyVersion, organisation_id):
    version = (
        PolicyVersion.objects.filter(organisation_id=organisation_id, kind="access")
        .order_by("-version")
        .first()
    )
    if version is None:
        return DEFAULT_MAX_DAYS
    return (version.document.get("api_tokens") or {}).get("max_days", DEFAULT_MAX_DAYS)


def give_expiry(apps, schema_editor):
    ApiToken = apps.get_model("organisations", "ApiToken")
    Membership = apps.get_model("organisations", "Membership")
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    now = timezone.now()
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        organisation_id = (
            Membership.objects.filter(user_id=token.user_id)
            .order_by("organisation_id")
            .values_list("organisation_id", flat=True)
            .first()
        )
        days = _max_days(PolicyVersion, organisation_id) if organisation_id else DEFAULT_MAX_DAYS
        token.expires_at = now + timedelta(days=days)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0003_sessions_and_token_expiry"),
        ("policy", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(give_expiry, migrations.RunPython.noop),
    ]
