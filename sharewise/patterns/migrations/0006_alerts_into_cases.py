"""Alerts already waiting join one case per person; each decided alert's last
decision becomes a decided case of its own, so audits of past periods keep counting
the waits they counted before (earlier waits stay with their alerts' decisions)."""

from django.db import migrations

WAITING = ("open", "acknowledged")


def forwards(apps, schema_editor):
    Alert = apps.get_model("patterns", "Alert")
    AlertDecision = apps.get_model("patterns", "AlertDecision")
    Case = apps.get_model("patterns", "CaseForDecision")
    cases = {}
    for alert in Alert.objects.filter(status__in=WAITING).order_by("waiting_since", "id"):
        key = (alert.organisation_id, alert.person_id) if alert.person_id else ("alert", alert.pk)
        case = cases.get(key)
        if case is None:
            case = cases[key] = Case.objects.create(
                organisation_id=alert.organisation_id,
                person_id=alert.person_id,
                opened_at=alert.waiting_since,
            )
        alert.case = case
        alert.save(update_fields=["case"])
    for alert in Alert.objects.filter(case__isnull=True).exclude(status__in=WAITING):
        last = AlertDecision.objects.filter(alert=alert).order_by("-decided_at", "-id").first()
        if last is None:
            continue
        case = Case.objects.create(
            organisation_id=alert.organisation_id,
            person_id=alert.person_id,
            opened_at=alert.waiting_since,
            decided_at=last.decided_at,
            decided_by_id=last.decided_by_id,
            outcome=last.outcome,
            monitor_until=last.monitor_until,
            rationale=last.rationale,
        )
        alert.case = case
        alert.save(update_fields=["case"])
        last.case = case
        last.save(update_fields=["case"])


class Migration(migrations.Migration):
    dependencies = [("patterns", "0005_cases_for_decision")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
