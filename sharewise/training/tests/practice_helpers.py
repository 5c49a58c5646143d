"""Turning a case's choices into what the practice page's form posts."""

from sharewise.policy import documents
from sharewise.training import casebook, scoring

SHARING = documents.default("sharing")
REFERRALS = documents.default("referrals")
RECORDING = documents.default("recording")


def right_choices(code):
    case = casebook.get(code)
    return case, scoring.right_answers(case, SHARING, REFERRALS, RECORDING)


def form_data(chosen) -> dict:
    answers = chosen["answers"]
    data = {
        name: answers[name]
        for name in (
            "purpose",
            "identifiable",
            "confidential",
            "consent",
            "not_sought_reason",
            "capacity",
            "best_interests",
            "at_risk",
            "necessary",
            "proportionality",
            "tell_person",
            "not_told_reason",
        )
        if answers.get(name)
    }
    data["grounds"] = list(answers.get("grounds") or ())
    for key in answers.get("accepted") or ():
        data[f"respond_{key.replace(':', '__')}"] = "accept"
    for key, why in (answers.get("rebuttals") or {}).items():
        data[f"respond_{key.replace(':', '__')}"] = "rebut"
        data[f"why_{key.replace(':', '__')}"] = why
    decision = chosen["decision"]
    data["outcome"] = decision["outcome"]
    data["override_grounds"] = list(decision.get("grounds") or ())
    for name in ("article_6", "article_9", "schedule_1"):
        data[name] = decision.get(name, "")
    if "fields" in chosen:
        data["fields"] = chosen["fields"]
        data["removed"] = chosen["removed"]
    return data
