"""The safeguarding lead reads and changes the organisation's policies. Every change
is a new version; concerns, alerts and decisions keep the version they were made under."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_safe

from sharewise.forms import add_errors
from sharewise.organisations import extensions, stepup
from sharewise.organisations.access import scope_for
from sharewise.policy import access, changes, documents, editing, forms, store
from sharewise.policy.models import PolicyVersion
from sharewise.policy.titles import ABOUT, MORE_IN_THE_FILE, TITLES


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
    organisation_id = access.lead_organisation(request.user, kind)
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
    organisation_id = access.lead_organisation(request.user, kind)
    version, _ = store.in_force(organisation_id, kind)
    response = HttpResponse(
        access.exported(version), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{kind}-policy-version-{version.version}.yaml"'
    )
    return response


@login_required
def import_policy(request, kind):
    """Upload a policy file: checked as the form is, and previewed; saving it is a
    separate step that asks who you are."""
    organisation_id = access.importable(request.user, kind)
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
    version, document = access.written_policy(request.user, document)
    return render(
        request,
        "policy/read.html",
        {"nav": "policy", "version": version, "document": document, "kind": version.kind},
    )
