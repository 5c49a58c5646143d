"""The organisation's policies through the API: read, changed, and imported or exported
as YAML by safeguarding leads, as on the policy pages (one operation saves both: every
change a new version, never one that changes nothing); the written policies read by
everyone in the organisation."""

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema

from sharewise.api.inputs import Input
from sharewise.organisations import stepup
from sharewise.policy import access, changes

router = Router(tags=["Policy"])


class PolicyVersionOut(Schema):
    kind: str
    version: int
    document: dict
    note: str
    created_at: datetime
    created_by: str | None
    changed: bool = Field(
        True, description="False when what was sent is the version in force: nothing saved"
    )


def _out(version, changed=True) -> PolicyVersionOut:
    return PolicyVersionOut(
        kind=version.kind,
        version=version.version,
        document=version.document,
        note=version.note,
        created_at=version.created_at,
        created_by=version.created_by.username if version.created_by_id else None,
        changed=changed,
    )


@router.get(
    "/policies/{kind}",
    response=PolicyVersionOut,
    summary="A policy in force (safeguarding leads): recording, patterns, sharing, "
    "referrals, governance, access, information_sharing or appropriate_policy",
)
def read_policy(request, kind: str):
    return _out(access.policy_for(request.user, kind))


class PolicyDocumentIn(Input):
    document: dict = Field(description="The whole policy, as GET returns it")
    note: str = Field("", description="What changed and why")


@router.put(
    "/policies/{kind}",
    response=PolicyVersionOut,
    summary="Save a new version of a policy (safeguarding leads; needs a recently confirmed token)",
    description="Checked as the policy page checks it; each fault names the setting "
    "(document.<place>). Applies from now on: records keep the version they were made under.",
)
def edit_policy(request, kind: str, payload: PolicyDocumentIn):
    organisation_id = access.lead_organisation(request.user, kind)
    stepup.require_for_api(request, "change a policy")
    saved, changed = changes.save(
        request, organisation_id, kind, payload.document, payload.note, via="api"
    )
    return _out(saved, changed)


class PolicyFileIn(Input):
    file: str = Field(description="The policy as YAML, as the export gives it (under 256 KB)")
    note: str = Field("", description="What changed and why")


@router.post(
    "/policies/{kind}/import",
    response=PolicyVersionOut,
    summary="Save a policy file (YAML) as a new version (safeguarding leads; needs a "
    "recently confirmed token); not for the written policies",
)
def import_policy(request, kind: str, payload: PolicyFileIn):
    organisation_id = access.importable(request.user, kind)
    stepup.require_for_api(request, "change a policy")
    document = changes.read_file(kind, payload.file)
    saved, changed = changes.save(request, organisation_id, kind, document, payload.note, "file")
    return _out(saved, changed)


@router.get(
    "/policies/{kind}/export",
    summary="The policy in force as a YAML file (safeguarding leads)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The policy as YAML, to keep, change and import",
                "content": {"application/yaml": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_policy(request, kind: str):
    version = access.policy_for(request.user, kind)
    response = HttpResponse(
        access.exported(version), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{kind}-policy-version-{version.version}.yaml"'
    )
    return response


class WrittenPolicyOut(Schema):
    kind: str
    version: int
    title: str
    owner: str
    adopted: bool
    body: str
    in_force_since: datetime


@router.get(
    "/written-policies/{document}",
    response=WrittenPolicyOut,
    summary="A written policy in force, for everyone in the organisation: "
    "information_sharing or appropriate_policy",
)
def read_written_policy(request, document: str):
    version, written = access.written_policy(request.user, document)
    return WrittenPolicyOut(
        kind=version.kind,
        version=version.version,
        title=written.title,
        owner=written.owner,
        adopted=written.adopted,
        body=written.body,
        in_force_since=version.created_at,
    )
