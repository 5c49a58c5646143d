"""The columns an import file may have, as the column reference lists them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    about: str
    example: str = ""
    required: bool = False  # the header must have it (values may still be blank)


PERSON_COLUMNS = (
    Column(
        "person_ref",
        "Your reference for the person, the same on every row about them. Sharewise keeps it "
        "so that importing the file again finds the same person. Every row needs one.",
        "R-0042",
        required=True,
    ),
    Column("given_name", "Their given (first) name.", "Alice", required=True),
    Column("family_name", "Their family name (surname).", "Moore", required=True),
    Column(
        "date_of_birth",
        "Day/month/year with a 4-digit year, or year-month-day.",
        "02/03/1941",
        required=True,
    ),
    Column("nhs_number", "10 digits, spaces allowed. Optional.", "943 476 5919"),
    Column(
        "team",
        "The team, exactly as it is named in Sharewise. For a new person it becomes their team "
        "from their start date; for a concern it is where it happened.",
        "Night team",
        required=True,
    ),
    Column(
        "service",
        "The service the team belongs to. Needed only when two services have a team with the "
        "same name.",
        "Rose House",
    ),
    Column(
        "start_date",
        "When the team started supporting a new person. Optional: when blank, the date of "
        "their earliest concern in the file, or today.",
        "01/06/2019",
    ),
)
CONCERN_COLUMNS = (
    Column(
        "concern_ref",
        "Your reference for the concern, different on every row. Sharewise keeps it, so a "
        "concern already imported is not imported twice.",
        "LOG-2023-117",
        required=True,
    ),
    Column(
        "occurred_at",
        "When it happened: date and 24-hour time. Not in the future.",
        "14/03/2023 22:30",
        required=True,
    ),
    Column(
        "categories",
        "One or more categories from your policy, separated by ';'. Use the codes or names "
        "listed below.",
        "neglect; psychological",
        required=True,
    ),
    Column("facts", "What happened, in facts. Cannot be blank.", required=True),
    Column(
        "immediate_action",
        "What was done straight away to keep the person safe. Cannot be blank.",
        required=True,
    ),
    Column("sharing_view", "The person's view on sharing this.", "not_asked", required=True),
    Column("injury", "Whether there was an injury.", "none", required=True),
    Column("information_source", "How the recorder knew.", "observed", required=True),
    Column("severity", "How serious it was judged to be.", "moderate", required=True),
    Column("shift", "Optional: when blank, worked out from the time.", "night"),
    Column(
        "risk_indicators",
        "The quick risk questions that applied, separated by ';' (codes or words listed "
        "below), or 'none'. Optional: when blank, the concern lists them as not answered.",
        "children; crime",
    ),
    Column("persons_words", "The person's own words. Optional."),
    Column("persons_wishes", "What the person wanted to happen. Optional."),
    Column("sharing_view_reason", "Why they refused or could not say. Optional."),
    Column("who_was_told", "Who was told at the time. Optional."),
    Column("source_kind", "Who is alleged to have caused the harm. Optional.", "unknown"),
    Column("source_description", "Describes the alleged source. Optional.", "Her son, Mark"),
    Column("injury_location", "Where on the body. Optional."),
    Column("reported_by", "Who reported it, when someone else did. Optional."),
    Column(
        "recorded_by",
        "The Sharewise username of whoever recorded it at the time. Optional: when blank, the "
        "person importing the file.",
        "nia",
    ),
)
COLUMNS = {c.name: c for c in (*PERSON_COLUMNS, *CONCERN_COLUMNS)}
CONCERN_ONLY = [c.name for c in CONCERN_COLUMNS]
PERSON_LIMITS = {"person_ref": 100, "given_name": 100, "family_name": 100}
CONCERN_LIMITS = {"concern_ref": 100, "source_description": 200, "injury_location": 200}
CONCERN_LIMITS["reported_by"] = 200

# What problems() calls a field, as the file calls it.
FIELD_COLUMNS = {"people": "person_ref", "source_staff": "source_description"}
