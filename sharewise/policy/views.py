"""The safeguarding lead reads and changes the organisation's policies. Every change
is a new version; concerns, alerts and decisions keep the version they were made under."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_safe

from sharewise.forms import add_errors
from sharewise.organisations import extensions, stepup
from sharewise.organisations.access import scope_for
from sharewise.policy import changes, documents, editing, forms, store
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
# Referral templates are edited here too; listed after the decision framework.
TITLES = {
    **{k: v for k, v in TITLES.items() if k in ("recording", "patterns", "sharing")},
    "referrals": "Referral templates",
    **{k: v for k, v in TITLES.items() if k not in ("recording", "patterns", "sharing")},
}
ABOUT["referrals"] = (
    "What each recipient of a referral needs and nothing more: the templates, the "
    "names of the information a referral can hold, and how much extra a referral may "
    "add before the data protection officer must countersign it. Adding a template or a "
    "field is done in the downloaded file."
)
MORE_IN_THE_FILE = {
    "recording": "adding or removing a category, shift, question or standard, and when a "
    "standard applies",
    "patterns": "",
    "sharing": "adding a ground, the lawful bases each ground points to, which bases fit "
    "which decisions, and the words that prompt a question",
    "referrals": "adding a template or a field, each template's sections and its minimum",
    "governance": "adding a checklist question",
    "access": "",
}


def _lead_organisation(request, kind) -> int:
    if kind not in TITLES:
        raise Http404("No such policy")
    if not request.user.has_perm("policy.change_policy"):
        raise PermissionDenied
    return scope_for(request.user).organisation_id


def _page(request, kind, version, **context):
    history = (
        PolicyVersion.objects.filter(organisation_id=version.organisation_id, kind=kind)
        .select_related("created_by")
        .order_by("-version")
    )
    return render(
        request,
        "policy/edit.html",
        {
            "nav": "policy",
            "kind": kind,
            "title": TITLES[kind],
            "about": ABOUT[kind],
            "kinds": TITLES.items(),
            "version": version,
            "history": history,
            "in_the_file": MORE_IN_THE_FILE.get(kind, ""),
            **context,
        },
    )


def _preview(request, kind, version, proposed) -> dict:
    """What saving would change, said plainly, with anything a later app adds (the
    pattern rules' backtest)."""
    extra = None
    for hook in extensions.hooks("policy_preview", "preview"):
        extra = extra or hook(request, kind, version.organisation_id, proposed)
    return {
        "changes": editing.changes(kind, version.document, proposed),
        "stamp": forms.fingerprint(version, proposed),
        "extra": extra,
        "next_version": version.version + 1,
    }


def _nothing_changed(request, kind, version):
    messages.info(request, f"Nothing changed: version {version.version} stays in force.")
    return redirect("edit_policy", kind=kind)


def _save(request, kind, proposed, note, via):
    organisation_id = scope_for(request.user).organisation_id
    saved, changed = changes.save(request, organisation_id, kind, proposed, note, via)
    if not changed:
        return _nothing_changed(request, kind, saved)
    messages.success(request, f"Saved as version {saved.version}. It applies from now on.")
    return redirect("edit_policy", kind=kind)


@login_required
@stepup.confirm_it_is_you("change a policy")
def edit_policy(request, kind):
    """A policy's settings as a form: preview what a change does, then save it as a
    new version (never a version that changes nothing)."""
    organisation_id = _lead_organisation(request, kind)
    version, _ = store.in_force(organisation_id, kind)
    if kind in documents.WRITTEN:
        return _edit_written(request, kind, version)
    action = request.POST.get("action", "preview")
    if request.method == "POST" and action == "save_file":
        return _save_file(request, kind, version)
    form = forms.PolicyForm(kind, version.document, request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        preview = _preview(request, kind, version, form.proposed)
        if not preview["changes"]:
            return _nothing_changed(request, kind, version)
        if action == "save" and request.POST.get("previewed") == preview["stamp"]:
            return _save(request, kind, form.proposed, form.cleaned_data["note"], "page")
        if action == "save":
            messages.warning(
                request,
                "The form changed after you checked it: check the change again, then save.",
            )
    return _page(request, kind, version, form=form, preview=preview)


def _edit_written(request, kind, version):
    written, problems = dict(version.document), []
    if request.method == "POST":
        note = request.POST.get("note", "").strip()
        written = {
            "title": request.POST.get("title", "").strip(),
            "owner": request.POST.get("owner", "").strip(),
            "adopted": request.POST.get("adopted") == "yes",
            "body": request.POST.get("body", "").strip(),
        }
        try:
            return _save(request, kind, written, note, "page")
        except ValidationError as error:
            problems = error.messages
    return _page(request, kind, version, written=written, problems=problems)


def _save_file(request, kind, version):
    """Save a previewed upload (sent here so saving asks who you are, as the form does)."""
    try:
        proposed = changes.read_file(kind, request.POST.get("document", ""))
    except ValidationError:
        messages.error(request, "The policy file could not be saved: upload it again.")
        return redirect("import_policy", kind=kind)
    if proposed == version.document:
        return _nothing_changed(request, kind, version)
    if request.POST.get("previewed") != forms.fingerprint(version, proposed):
        messages.warning(request, "The policy changed after you checked the file: upload it again.")
        return redirect("import_policy", kind=kind)
    return _save(request, kind, proposed, request.POST.get("note", ""), "file")


@login_required
@require_GET
def export_policy(request, kind):
    """The policy in force as a YAML file, to keep, share or change and upload."""
    organisation_id = _lead_organisation(request, kind)
    version, _ = store.in_force(organisation_id, kind)
    heading = (
        f"# {TITLES[kind]}, version {version.version}, "
        f"in force since {version.created_at:%-d %B %Y}.\n"
        "# Change it and upload it on the policy's page: you will see what changes "
        "before anything is saved.\n"
    )
    response = HttpResponse(
        heading + editing.as_yaml(version.document),
        content_type="application/yaml; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{kind}-policy-version-{version.version}.yaml"'
    )
    return response


@login_required
def import_policy(request, kind):
    """Upload a policy file: checked as the form is, and previewed; saving it is a
    separate step that asks who you are."""
    organisation_id = _lead_organisation(request, kind)
    if kind in documents.WRITTEN:
        raise Http404("No such policy")
    version, _ = store.in_force(organisation_id, kind)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    preview = proposed = None
    if request.method == "POST" and form.is_valid():
        try:
            proposed = changes.read_file(kind, form.cleaned_data["file"].read(changes.MAX_FILE + 1))
        except ValidationError as error:
            add_errors(form, error)
        else:
            preview = _preview(request, kind, version, proposed)
            if not preview["changes"]:
                return _nothing_changed(request, kind, version)
    return render(
        request,
        "policy/import.html",
        {
            "nav": "policy",
            "kind": kind,
            "title": TITLES[kind],
            "version": version,
            "form": form,
            "preview": preview,
            "document": editing.as_yaml(proposed) if proposed else "",
        },
    )


@login_required
@require_safe
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
