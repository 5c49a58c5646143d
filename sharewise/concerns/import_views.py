"""Importing people and concerns from CSV on the web: upload, progress, result."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from sharewise.concerns import importing, importjobs, recording
from sharewise.concerns.access import get_import_job_for, import_organisations
from sharewise.concerns.models import ImportJob
from sharewise.forms import NHSStyled, add_errors
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Organisation


class ImportForm(NHSStyled, forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv", "class": "nhsuk-u-font-size-19"}),
        error_messages={"required": "Choose the CSV file to import"},
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Organisation", empty_label="Choose"
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        limit = importing.size_text(importing.max_bytes())
        self.fields["file"].help_text = f"Saved as 'CSV UTF-8 (Comma delimited)', {limit} at most"
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:  # nothing to choose
            del self.fields["organisation"]
            self.organisation = organisations.first()

    def clean(self):
        data = super().clean()
        if "organisation" in self.fields:
            self.organisation = data.get("organisation")
        return data

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if problem := importjobs.upload_problem(upload):
            raise forms.ValidationError(problem)
        return upload


@login_required
def import_new(request):
    organisations = import_organisations(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            job = importjobs.start_import(
                request.user, form.cleaned_data["file"], form.organisation.pk
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("import_job", job_id=job.pk)
    recent = ImportJob.objects.filter(organisation__in=organisations).select_related("created_by")[
        :10
    ]
    return render(
        request,
        "concerns/import_new.html",
        {"nav": "import", "form": form, "recent": recent},
    )


@login_required
@require_GET
def import_job(request, job_id):
    job = get_import_job_for(request.user, job_id)
    done = importjobs.progress_of(job)
    return render(
        request,
        "concerns/import_job.html",
        {
            "nav": "import",
            "job": job,
            "done": done,
            "waiting_long": importjobs.waiting_long(job),
            "percent": int(100 * done / job.rows_total) if job.rows_total else 0,
            "Status": ImportJob.Status,
        },
    )


@login_required
@require_GET
def import_columns(request):
    scope = scope_for(request.user)
    policy = None
    if scope.organisation_id:
        _, policy = recording.policy_for(scope.organisation_id)
    choices = {
        name: [(value, label) for value, label in choices.choices]
        for name, choices in recording.CHOICE_FIELDS.items()
    }
    return render(
        request,
        "concerns/import_columns.html",
        {
            "nav": "import",
            "person_columns": importing.PERSON_COLUMNS,
            "concern_columns": importing.CONCERN_COLUMNS,
            "policy": policy,
            "choices": choices,
            "max_size": importing.size_text(importing.max_bytes()),
        },
    )
