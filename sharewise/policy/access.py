"""The one way in to read an organisation's policies: the policies a safeguarding lead
changes (another role is refused), and the written policies everyone reads. The pages
and the API both call these."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sharewise.organisations.access import scope_for
from sharewise.policy import documents, editing, store
from sharewise.policy.changes import ONLY_LEADS
from sharewise.policy.titles import TITLES


def lead_organisation(user, kind: str) -> int:
    """The organisation whose policy of this kind the lead may read and change: not
    found for a kind there is not, refused for anyone but a lead."""
    if kind not in TITLES:
        raise Http404("No such policy")
    if not user.has_perm("policy.change_policy"):
        raise PermissionDenied(ONLY_LEADS)
    return scope_for(user).organisation_id


def policy_for(user, kind: str):
    """The version in force of this kind of policy, for a lead."""
    version, _ = store.in_force(lead_organisation(user, kind), kind)
    return version


def written_policy(user, kind: str):
    """(version, validated document) of a written policy in force, for anyone in the
    organisation."""
    if kind not in documents.WRITTEN:
        raise Http404("No such policy")
    organisation_id = scope_for(user).organisation_id
    if organisation_id is None:
        raise Http404("No such policy")
    return store.in_force(organisation_id, kind)


def exported(version) -> str:
    """The version as a YAML file to keep, share, or change and upload."""
    heading = (
        f"# {TITLES[version.kind]}, version {version.version}, "
        f"in force since {version.created_at:%-d %B %Y}.\n"
        "# Change it and upload it on the policy's page: you will see what changes "
        "before anything is saved.\n"
    )
    return heading + editing.as_yaml(version.document)


def importable(user, kind: str) -> int:
    """As lead_organisation, for a policy kept as a file: the written policies are
    typed on their page, not imported."""
    organisation_id = lead_organisation(user, kind)
    if kind in documents.WRITTEN:
        raise Http404("No such policy")
    return organisation_id
