"""The safeguarding lead reads and changes the organisation's policies. Every change
is a new version; concerns, alerts and decisions keep the version they were made under."""

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from pydantic import ValidationError

from sharewise.audittrail import trail
from sharewise.organisations import stepup
from sharewise.organisations.access import scope_for
from sharewise.policy import documents, store
from sharewise.policy.models import PolicyVersion

TITLES = {
    "recording": "Recording policy",
    "patterns": "Pattern rules",
    "sharing": "Decision framework",
    "information_sharing": "Information-sharing policy",
    "appropriate_policy": "Appropriate policy document",
    "governance": "Audits, meetings and supervision",
    "access": "Sign-in and sessions",
}
ABOUT = {
    "recording": (
        "Categories of abuse and neglect, the shift pattern, review deadlines, emergency "
        "steps and recording standards. A change applies to concerns recorded from now on; "
        "each concern keeps the version it was recorded under."
    ),
    "patterns": (
        "When concerns together must become an alert that someone decides: each rule's "
        "numbers, the risk score's weights and half-life, and what a decision needs. A "
        "change applies from now on; each alert keeps the version that raised it. Try a "
        "change on past concerns before you save it."
    ),
    "sharing": (
        "The grounds for sharing without consent, the lawful bases each points to, your "
        "organisation's Article 6 choice, review periods and when not sharing needs the "
        "lead's review. Every sharing decision records the version in force."
    ),
    "information_sharing": (
        "The policy staff read on when and how to share. Sharing decisions link to the "
        "version in force when they were made."
    ),
    "appropriate_policy": (
        "Required by the Data Protection Act 2018 before relying on a Schedule 1 Part 2 "
        "condition such as paragraph 18 (safeguarding). Until it is adopted, decisions "
        "relying on those conditions say so."
    ),
    "governance": (
        "What a safeguarding audit checks and how strictly, the case-file checklist, how "
        "often oversight meetings and supervision happen, the challenge prompts for "
        "supervision and the smallest count the evidence pack shows. Each audit run "
        "records the version it used."
    ),
    "access": (
        "Who must sign in with a second factor, when the most serious actions ask for it "
        "again, how long a session lasts without activity and at most, how long API "
        "tokens live, and when refused requests raise a notice for you."
    ),
}
HINTS = {
    "recording": (
        "Keep the indentation. Category codes are lower case with underscores; a "
        'standard\'s "when" is one of always, disclosed, unexplained_injury, '
        "refused_or_unable, source_known."
    ),
    "patterns": (
        "Keep the indentation. Set enabled: false to switch a rule off; days is the "
        "window a rule looks across."
    ),
    "sharing": (
        "Keep the indentation. A ground's article_6 may be left empty to use "
        "article_6_default; article 9 (g) needs a schedule_1 condition."
    ),
    "governance": (
        "Keep the indentation. Each criterion's code names a check Sharewise knows; set "
        "enabled: false to leave one out, and change its days, min_words or max_rate to "
        "make it stricter. Severity is high, moderate or low; owner is safeguarding_lead, "
        "team_manager, dpo or auditor."
    ),
    "access": (
        "Keep the indentation. Roles are care_worker, team_manager, safeguarding_lead, "
        "dpo, auditor and administrator; minutes and hours are whole numbers."
    ),
}


def _describe(error: ValidationError) -> list[str]:
    return [
        f"{' › '.join(str(p) for p in e['loc']) or 'The policy'}: {e['msg']}"
        for e in error.errors()
    ]


def record_change(request, saved, note, via="page"):
    trail.record_request(
        request,
        "changed policy",
        object_type="policy",
        object_id=saved.pk,
        organisation_id=saved.organisation_id,
        reason=note,
        detail={"kind": saved.kind, "version": saved.version, "via": via},
    )


@login_required
@stepup.confirm_it_is_you("change a policy")
def edit_policy(request, kind):
    if kind not in TITLES:
        raise Http404("No such policy")
    if not request.user.has_perm("policy.change_policy"):
        raise PermissionDenied
    organisation_id = scope_for(request.user).organisation_id
    version, _ = store.in_force(organisation_id, kind)
    text = yaml.safe_dump(version.document, sort_keys=False, allow_unicode=True, width=100)
    written = dict(version.document) if kind in documents.WRITTEN else None
    problems = []
    if request.method == "POST":
        text = request.POST.get("document", "")
        note = request.POST.get("note", "").strip()
        try:
            if written is not None:
                written = {
                    "title": request.POST.get("title", "").strip(),
                    "owner": request.POST.get("owner", "").strip(),
                    "adopted": request.POST.get("adopted") == "yes",
                    "body": request.POST.get("body", "").strip(),
                }
                document = written
            else:
                document = yaml.safe_load(text)
            if not isinstance(document, dict):
                raise yaml.YAMLError("the policy must be a set of named sections")
            saved = store.save_version(organisation_id, kind, document, request.user, note)
        except yaml.YAMLError as error:
            problems = [
                f"This is not valid YAML: {error}. Check the indentation near the line named."
            ]
        except ValidationError as error:
            problems = _describe(error)
        else:
            record_change(request, saved, note)
            messages.success(request, f"Saved as version {saved.version}. It applies from now on.")
            return redirect("edit_policy", kind=kind)
    history = (
        PolicyVersion.objects.filter(organisation_id=organisation_id, kind=kind)
        .select_related("created_by")
        .order_by("-version")
    )
    return render(
        request,
        "policy/edit.html",
        {
            "nav": "policy",
            "kind": kind,
            "title": TITLES.get(kind, kind),
            "about": ABOUT[kind],
            "hint": HINTS.get(kind, ""),
            "kinds": TITLES.items(),
            "version": version,
            "text": text,
            "written": written,
            "problems": problems,
            "history": history,
        },
    )


@login_required
def read_policy(request, document):
    """The written policies, for every member of staff to read (version in force)."""
    kind = document
    if kind not in documents.WRITTEN:
        raise Http404("No such policy")
    organisation_id = scope_for(request.user).organisation_id
    if organisation_id is None:
        raise Http404("No such policy")
    version, document = store.in_force(organisation_id, kind)
    return render(
        request,
        "policy/read.html",
        {"nav": "policy", "version": version, "document": document, "kind": kind},
    )
