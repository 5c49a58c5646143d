"""Roles: a scope the role ignores, and an administrator's own roles, are refused when
the role is added, not granted as something else."""

from sharewise.organisations.models import Membership, Role, RoleRequest


def test_a_lead_scoped_to_one_team_is_refused(cast, as_user):
    response = as_user(cast.owen).post(
        f"/organisation/staff/{cast.nia.pk}/roles/",
        {"role-role": "safeguarding_lead", "role-scope": f"team:{cast.day.pk}"},
    )
    assert response.status_code == 400
    assert "works across the whole organisation" in response.content.decode()
    assert not Membership.objects.filter(user=cast.nia, role=Role.SAFEGUARDING_LEAD).exists()
    as_user(cast.owen).post(
        f"/organisation/staff/{cast.nia.pk}/roles/",
        {"role-role": "care_worker", "role-scope": f"team:{cast.day.pk}"},
    )
    # The care worker role in the Day team is asked for, to be approved.
    assert RoleRequest.objects.filter(user=cast.nia, role=Role.CARE_WORKER, team=cast.day).exists()


def test_an_administrator_cannot_give_themselves_a_role(cast, as_user):
    response = as_user(cast.owen).post(
        f"/organisation/staff/{cast.owen.pk}/roles/",
        {"role-role": "safeguarding_lead", "role-scope": "org"},
    )
    assert response.status_code == 400
    assert "You cannot change your own roles" in response.content.decode()
    assert not Membership.objects.filter(user=cast.owen, role=Role.SAFEGUARDING_LEAD).exists()
