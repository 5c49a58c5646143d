"""Tokens made before every token expired are given the policy's longest lifetime."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("organisations", "0003_sessions_and_token_expiry")]


@pytest.mark.django_db(transaction=True)
def test_tokens_made_before_expiry_get_the_longest_lifetime_from_today(transactional_cast):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("organisations", "ApiToken").objects.create(
        user_id=transactional_cast.nia.pk, name="Old script", digest="d" * 64, hint="sw_old"
    )
    # Forward to every app's latest migration, not just this one: stopping short would
    # leave later tables missing for every test after this one.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from sharewise.organisations.models import ApiToken

    token = ApiToken.objects.get(hint="sw_old")
    assert timedelta(days=89, hours=23) < token.expires_at - timezone.now() <= timedelta(days=90)
