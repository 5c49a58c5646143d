"""The practice API: the casebook without its answers key, starting and answering an
attempt, and who may read attempts."""

from sharewise.training.tests.practice_helpers import right_choices


def answers_body(chosen):
    body = {"answers": chosen["answers"], "decision": chosen["decision"]}
    if "fields" in chosen:
        body |= {"fields": chosen["fields"], "removed": chosen["removed"]}
    return body


def test_the_casebook_never_gives_away_the_answers(cast, api):
    nia = api(cast.nia)
    listed = nia.get("/api/v1/training/cases").json()
    assert len(listed) >= 12
    case = nia.get("/api/v1/training/cases/refused_emotional_abuse").json()
    assert case["case"]["person"]["given"] == "Margaret"
    assert "key" not in case["case"] and "coercion" not in str(case["case"].get("key", ""))
    assert nia.get("/api/v1/training/cases/nothing_here").status_code == 404


def test_a_care_worker_starts_and_answers_a_referral_case_to_full_marks(cast, api):
    nia = api(cast.nia)
    started = nia.post("/api/v1/training/attempts", {"case_code": "financial_referral_minimum"})
    assert started.status_code == 201
    attempt = started.json()
    assert attempt["score"] is None and attempt["finished_at"] is None
    _, chosen = right_choices("financial_referral_minimum")
    done = nia.post(f"/api/v1/training/attempts/{attempt['id']}/answers", answers_body(chosen))
    assert done.status_code == 200, done.content
    result = done.json()
    assert result["score"] == 100
    assert "[another resident]" in result["sent"]["What happened"]
    assert result["feedback"][0]["point"] == "The framework's recommendation on your answers"
    again = nia.post(f"/api/v1/training/attempts/{attempt['id']}/answers", answers_body(chosen))
    assert again.status_code == 422
    assert "This attempt is finished" in again.content.decode()


def test_a_refusal_answered_do_not_share_is_marked_wrong_naming_the_ground(cast, api):
    tom = api(cast.tom)
    attempt = tom.post("/api/v1/training/attempts", {"case_code": "refused_emotional_abuse"})
    _, chosen = right_choices("refused_emotional_abuse")
    chosen["answers"]["accepted"] = []
    chosen["decision"] = {"outcome": "do_not_share"}
    result = tom.post(
        f"/api/v1/training/attempts/{attempt.json()['id']}/answers", answers_body(chosen)
    ).json()
    decision = next(p for p in result["feedback"] if p["point"] == "Your decision")
    assert decision["right"] is False
    assert "The person is under duress, coercion or undue influence" in decision["why"]
    assert result["score"] < 50


def test_bad_answers_get_422_with_what_to_fix(cast, api):
    nia = api(cast.nia)
    attempt = nia.post("/api/v1/training/attempts", {"case_code": "financial_referral_minimum"})
    response = nia.post(
        f"/api/v1/training/attempts/{attempt.json()['id']}/answers",
        {
            "answers": {"consent": "perhaps"},
            "decision": {"outcome": "shrug"},
            "fields": ["shoe_size"],
        },
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Choose one of: given" in text
    assert "Choose your decision" in text
    assert "shoe_size" in text
    unknown = nia.post("/api/v1/training/attempts", {"case_code": "no_such_case"})
    assert unknown.status_code == 422
    assert "No such practice case" in unknown.content.decode()


def test_refusals_by_role_and_organisation(cast, api):
    nia = api(cast.nia)
    attempt = nia.post("/api/v1/training/attempts", {"case_code": "refused_emotional_abuse"})
    path = f"/api/v1/training/attempts/{attempt.json()['id']}"
    assert api(cast.owen).get("/api/v1/training/cases").status_code == 403
    assert api(cast.owen).get(path).status_code == 403
    assert api(cast.olivia).get(path).status_code == 404
    assert api(cast.tom).get(path).status_code == 404
    assert api(cast.helen).get(path).status_code == 200
    _, chosen = right_choices("refused_emotional_abuse")
    # a manager may read it but never answer it for her
    assert api(cast.helen).post(f"{path}/answers", answers_body(chosen)).status_code == 403
    assert api(cast.olivia).post(f"{path}/answers", answers_body(chosen)).status_code == 404
    sarah = api(cast.sarah)
    listed = sarah.get(f"/api/v1/training/attempts?staff_id={cast.nia.pk}").json()
    assert [a["staff"] for a in listed] == ["Nia Okafor"]
    assert api(cast.tom).get("/api/v1/training/attempts").json() == []
