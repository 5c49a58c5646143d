"""The decision wizard's steps, and the consent, capacity, advice and countersign forms.
Each wizard step holds the answers to one question of the framework."""

from django import forms

from sharewise.forms import DatePartsField, NHSStyled
from sharewise.sharing.models import (
    Channel,
    ConsentCapacity,
    NotSoughtReason,
    Outcome,
)

YES_NO_UNSURE = [("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")]


class Reveals:
    """Follow-up questions shown under one choice of a radio question
    (sharing/_fields.html): reveals = {radio: (choice, follow-up)}."""

    reveals: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (choice, _) in self.reveals.items():
            self.fields[name].reveal_on = choice

    @property
    def follow_ups(self) -> set:
        return {follow for _, follow in self.reveals.values()}

    @property
    def reveal_list(self) -> list:
        return [(name, choice, self[follow]) for name, (choice, follow) in self.reveals.items()]


YES_NO = [("yes", "Yes"), ("no", "No")]


def _radios(label, choices, help_text="", required=True):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        required=required,
        error_messages={"required": f"{label}: choose an answer"},
    )


def _text(label, help_text="", required=True, rows=3):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"{label}: this is required"},
    )


class PurposeStep(NHSStyled, forms.Form):
    question = _text(
        "What are you deciding?",
        "For example: should we tell the local authority about the bruising on Arthur's arms?",
        rows=2,
    )
    purpose_text = _text(
        "What would sharing be for?", "Who would it protect, and from what?", rows=2
    )
    purpose = _radios("Is there a clear and legitimate purpose for sharing?", YES_NO_UNSURE)
    concern_ids = forms.MultipleChoiceField(
        label="Which concerns is this about?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The most recent concerns you can see about this person.",
    )

    def __init__(self, *args, concerns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern_ids"].choices = [(str(c.pk), c.label) for c in concerns]


class InformationStep(NHSStyled, forms.Form):
    identifiable = _radios(
        "Does the information identify the person, or could it, taken together?", YES_NO_UNSURE
    )
    confidential = _radios("Was the information given or found in confidence?", YES_NO_UNSURE)


CONSENT = [
    ("given", "Yes, they agreed"),
    ("refused", "No, they refused"),
    ("withdrawn", "They agreed, then withdrew it"),
    ("not_sought", "They have not been asked"),
]


class ConsentStep(Reveals, NHSStyled, forms.Form):
    reveals = {
        "consent": ("not_sought", "not_sought_reason"),
        "capacity": ("lacks_capacity", "best_interests"),
    }
    consent = _radios("Has the person agreed to this sharing?", CONSENT)
    not_sought_reason = _radios("Why were they not asked?", NotSoughtReason.choices, required=False)
    capacity = _radios(
        "The person's capacity for this decision",
        [
            ("presumed", "Presumed: nothing suggests they lack it"),
            ("has_capacity", "Assessed: they have capacity"),
            ("lacks_capacity", "Assessed: they lack capacity"),
            ("in_doubt", "In doubt, and not yet assessed"),
        ],
    )
    best_interests = _radios(
        "What is the best-interests decision?",
        [("share", "Sharing is in their best interests"), ("do_not_share", "Not sharing")],
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("consent") == "not_sought" and not data.get("not_sought_reason"):
            self.add_error("not_sought_reason", "Say why the person has not been asked")
        return data


def _slug(key: str) -> str:
    return key.replace(":", "__")


class RiskStep(Reveals, NHSStyled, forms.Form):
    """The grounds the record proposes and the questions its words raise, each to accept
    or set aside with a reason, then any other ground the decider knows of."""

    grounds = forms.MultipleChoiceField(
        label="Do any of these apply?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every one that applies. Leave all clear if none does.",
    )
    at_risk = _radios(
        "Is the person you would protect a child, or an adult at risk?",
        YES_NO_UNSURE,
        help_text=(
            "An adult at risk has care and support needs, is experiencing or at risk of "
            "abuse or neglect, and cannot protect themselves because of those needs."
        ),
    )

    def __init__(self, *args, policy=None, prompts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.prompts = list(prompts)  # (key, question, evidence, is a cue, its ground)
        proposed = {key for key, _, _, cue, _ in self.prompts if not cue}
        self.fields["grounds"].choices = [
            (g.code, g.label)
            for g in policy.override_grounds
            if g.code != "lacks_capacity" and g.code not in proposed
        ]
        if proposed:
            self.fields["grounds"].label = "Does any other ground apply?"
        self.fields["grounds"].needed = True  # "none of these" is an answer too
        accepted = set(self.initial.get("accepted") or ())
        rebuttals = self.initial.get("rebuttals") or {}
        asked = {}
        for key, label, evidence, cue, _ in self.prompts:
            slug = _slug(key)
            yes = "Yes, it applies" if not cue else "Yes"
            respond = _radios(
                label,
                [("accept", yes), ("rebut", "No, it does not apply: say why")],
                help_text=("The record says " if cue else "From the record: ") + evidence,
                required=False,
            )
            respond.needed = True
            why = _text("Why does it not apply?", required=False, rows=2)
            asked[f"respond_{slug}"] = respond
            asked[f"why_{slug}"] = why
            self.reveals = {**self.reveals, f"respond_{slug}": ("rebut", f"why_{slug}")}
            respond.reveal_on = "rebut"
            if key in accepted:
                self.initial.setdefault(f"respond_{slug}", "accept")
            elif rebuttals.get(key):
                self.initial.setdefault(f"respond_{slug}", "rebut")
                self.initial.setdefault(f"why_{slug}", rebuttals[key])
        self.fields = {**asked, **self.fields}

    def clean(self):
        data = super().clean()
        for key, label, _, cue, ground in self.prompts:
            slug = _slug(key)
            if (
                data.get(f"respond_{slug}") == "rebut"
                and not (data.get(f"why_{slug}") or "").strip()
            ):
                name = (ground if cue else label).lower()
                self.add_error(f"why_{slug}", f"Say why '{name}' does not apply")
        return data

    def responses(self, values: dict) -> dict:
        """The answers to the record's prompts, as the framework reads them."""
        accepted, rebuttals = [], {}
        for key, _, _, _, _ in self.prompts:
            slug = _slug(key)
            if values.get(f"respond_{slug}") == "accept":
                accepted.append(key)
            elif values.get(f"respond_{slug}") == "rebut":
                rebuttals[key] = (values.get(f"why_{slug}") or "").strip()
        return {"accepted": accepted, "rebuttals": rebuttals}


class NecessityStep(NHSStyled, forms.Form):
    necessary = _radios("Is sharing needed to achieve the purpose?", YES_NO_UNSURE)
    proportionality = _text(
        "Why is sharing (or not sharing) necessary and proportionate?",
        "In your own words: weigh the risk of harm against the person's privacy.",
        required=False,
    )


class RecipientStep(NHSStyled, forms.Form):
    recipient = forms.CharField(
        label="Which organisation would receive it?",
        required=False,
        help_text="For example: the local authority adult safeguarding team.",
    )
    recipient_role = forms.CharField(label="The recipient's role", required=False)
    recipient_name = forms.CharField(label="The recipient's name", required=False)
    content = _text(
        "Exactly what would be shared?",
        "Only what the recipient needs: not the whole care record.",
        required=False,
    )
    channel = _radios("How would it be shared?", Channel.choices, required=False)
    not_sharing = forms.BooleanField(
        label="We expect to decide not to share: leave the recipient for now",
        required=False,
        help_text="If the decision is to share, you will be asked for these before recording it.",
    )

    # The same words as the decision asks them in, so a blank is fixed here, not at the end.
    BLANKS = (
        ("recipient", "Say which organisation receives the information"),
        ("recipient_role", "Say the recipient's role"),
        ("content", "Say exactly what will be shared"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("recipient", "recipient_role", "content", "channel"):
            self.fields[name].needed = True  # unless not sharing: not marked optional

    def clean(self):
        data = super().clean()
        if data.get("not_sharing"):
            return data
        for name, message in self.BLANKS:
            if not (data.get(name) or "").strip() and name not in self.errors:
                self.add_error(name, message)
        if not data.get("channel") and "channel" not in self.errors:
            self.add_error("channel", "Choose how it will be shared")
        return data


class TellingStep(Reveals, NHSStyled, forms.Form):
    reveals = {"tell_person": ("no", "not_told_reason")}
    tell_person = _radios("Will you tell the person about this decision?", YES_NO)
    not_told_reason = _text("Why will they not be told?", required=False)

    def clean(self):
        data = super().clean()
        if data.get("tell_person") == "no" and not (data.get("not_told_reason") or "").strip():
            self.add_error("not_told_reason", "Say why the person will not be told")
        return data


STEPS = [
    ("purpose", "Purpose", PurposeStep),
    ("information", "The information", InformationStep),
    ("consent", "Consent and capacity", ConsentStep),
    ("risk", "Risk and grounds", RiskStep),
    ("necessity", "Necessity", NecessityStep),
    ("recipient", "Recipient", RecipientStep),
    ("telling", "Telling the person", TellingStep),
]
STEP_NAMES = [name for name, _, _ in STEPS] + ["recommendation"]
WHY_KEY = {
    "purpose": "purpose",
    "information": "identifiable",
    "consent": "consent",
    "risk": "grounds",
    "necessity": "necessary",
    "recipient": "recipient",
    "telling": "tell_person",
}


class DecisionForm(NHSStyled, forms.Form):
    outcome = _radios("Your decision", Outcome.choices)
    override_grounds = forms.MultipleChoiceField(
        label="Grounds for sharing without consent",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="When sharing without consent: at least one.",
    )
    article_6 = forms.ChoiceField(
        label="UK GDPR Article 6 lawful basis",
        required=False,
        help_text="When sharing without consent.",
    )
    article_9 = forms.ChoiceField(
        label="UK GDPR Article 9 condition",
        required=False,
        help_text="When sharing without consent.",
    )
    schedule_1 = forms.ChoiceField(
        label="DPA 2018 Schedule 1 condition", required=False, help_text="Needed with 9(2)(g)."
    )
    necessity = _text(
        "Why this decision is necessary and proportionate",
        "In your own words. This is the heart of the record.",
        required=False,
    )
    review_date = DatePartsField(
        label="Review date (when not sharing)",
        required=False,
        help_text="When this decision will be looked at again. For example, 27 3 2027.",
    )
    departure_rationale = _text(
        "If you decide differently from the recommendation: why?",
        "A lead or the data protection officer will countersign.",
        required=False,
    )
    advised_by = forms.CharField(
        label="Who else advised you?", required=False, help_text="Outside Sharewise, if anyone."
    )
    contradiction_reason = _text(
        "If your decision goes against the standing decision: why?",
        "The standing decision is still within its review period. The safeguarding lead "
        "will see your reason.",
        required=False,
    )

    def __init__(self, *args, policy=None, standing=None, **kwargs):
        super().__init__(*args, **kwargs)
        if standing is None:  # nothing signed to go against
            del self.fields["contradiction_reason"]
        else:
            self.fields["contradiction_reason"].needed = True
        blank = [("", "Choose")]
        self.fields["override_grounds"].choices = [
            (g.code, g.label) for g in policy.override_grounds
        ]
        self.fields["article_6"].choices = blank + list(policy.article_6.items())
        self.fields["article_9"].choices = blank + list(policy.article_9.items())
        self.fields["schedule_1"].choices = blank + list(policy.schedule_1.items())
        # Needed for some decisions only: the hint says when, so no "(optional)".
        for name in ("override_grounds", "article_6", "article_9", "schedule_1", "necessity"):
            self.fields[name].needed = True
        for name in ("review_date", "departure_rationale"):
            self.fields[name].needed = True


class ConsentForm(Reveals, NHSStyled, forms.Form):
    reveals = {"outcome": ("not_sought", "not_sought_reason")}
    purpose = _text("What was the person asked to agree to?", "What, with whom, and why.")
    concern_ids = forms.MultipleChoiceField(
        label="Which concerns is it about?", required=False, widget=forms.CheckboxSelectMultiple
    )
    outcome = _radios("What did they say?", CONSENT)
    not_sought_reason = _radios("Why were they not asked?", NotSoughtReason.choices, required=False)
    explained_how = _text("How was it explained?", required=False)
    persons_words = _text("The person's own words", required=False)
    capacity = _radios("Their capacity for this decision", ConsentCapacity.choices)

    def __init__(self, *args, concerns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern_ids"].choices = [(str(c.pk), c.label) for c in concerns]

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "not_sought" and not data.get("not_sought_reason"):
            self.add_error("not_sought_reason", "Say why consent was not sought")
        elif data.get("outcome") != "not_sought":
            data["not_sought_reason"] = ""  # answered under a choice then changed
        return data


class CapacityForm(NHSStyled, forms.Form):
    decision = _text(
        "Which decision is this about?",
        "Capacity is decision-specific. For example: whether to agree to the local "
        "authority being told about the bruising.",
        rows=2,
    )
    help_given = _text(
        "What did you do to help them decide?",
        "Simple words, pictures, the right time of day, someone they trust present.",
    )
    can_understand = _radios(
        "Can they understand the information relevant to the decision?", YES_NO
    )
    can_retain = _radios("Can they retain that information long enough to decide?", YES_NO)
    can_use_or_weigh = _radios("Can they use or weigh it as part of deciding?", YES_NO)
    can_communicate = _radios("Can they communicate their decision, by any means?", YES_NO)
    impairment = _radios(
        "If not: is that because of an impairment of, or disturbance in, the mind or brain?",
        YES_NO,
        required=False,
    )
    impairment_detail = _text("Describe the impairment or disturbance", required=False)
    evidence = _text("What did the person say and do that shows this?")
    best_interests = _radios(
        "If they lack capacity: the best-interests decision",
        [("share", "Sharing is in their best interests"), ("do_not_share", "Not sharing")],
        required=False,
    )
    best_interests_reasons = _text("The reasons for the best-interests decision", required=False)
    persons_wishes = _text("Their past and present wishes and feelings", required=False)
    consulted = _text("Who you consulted", required=False)

    def as_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("can_understand", "can_retain", "can_use_or_weigh", "can_communicate"):
            data[name] = {"yes": True, "no": False}.get(data.get(name))
        data["impairment"] = {"yes": True, "no": False}.get(data.get("impairment"))
        return data


class AdviceForm(NHSStyled, forms.Form):
    question = _text(
        "Your question",
        "Leave out the person's name if you can: describe the situation instead.",
        rows=5,
    )
    name_person = forms.BooleanField(
        label="Link this question to the person's record", required=False
    )


class AnswerForm(NHSStyled, forms.Form):
    answer = _text("Your advice", rows=6)


class CountersignForm(NHSStyled, forms.Form):
    agree = _radios(
        "Do you countersign this decision?",
        [("yes", "Yes, I agree with it"), ("no", "No: a new decision is needed")],
    )
    note = _text("Your comments", "Needed if you do not agree.", required=False)


class AmendForm(NHSStyled, forms.Form):
    recipient_organisation = forms.CharField(label="Recipient organisation", required=False)
    recipient_role = forms.CharField(label="Recipient's role", required=False)
    recipient_name = forms.CharField(label="Recipient's name", required=False)
    what_shared = _text("What was shared", required=False)
    channel = forms.ChoiceField(
        label="How it was shared", choices=[("", "Not shared")] + Channel.choices, required=False
    )
    person_told = forms.ChoiceField(
        label="Was the person told?", choices=[("", "Not applicable")] + YES_NO, required=False
    )
    not_told_reason = _text("Why the person was not told", required=False)
    review_date = DatePartsField(label="Review date", required=False)
    reason = _text("Why are you amending this decision?")


def answers_in_words(answers: dict, ground_labels: dict) -> list[tuple[str, str]]:
    """A draft's answers as (question, answer) in the wizard's own words, for the lead
    reading a question about it."""
    found = []
    for _, _, form_class in STEPS:
        for name, field in form_class.base_fields.items():
            value = answers.get(name)
            if value in (None, "", []) or name == "concern_ids":
                continue
            labels = ground_labels if name == "grounds" else dict(getattr(field, "choices", []))
            if isinstance(value, list):
                shown = ", ".join(str(labels.get(v, v)) for v in value)
            else:
                shown = str(labels.get(value, value))
            found.append((str(field.label), shown))
    return found
