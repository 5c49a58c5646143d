"""The code systems, identifier systems and extensions the FHIR export uses: the
standard ones by their canonical URLs, Sharewise's own under urn:sharewise:, so a
receiving system can tell at a glance which codes are local."""

FHIR_VERSION = "4.3.0"  # R4B: R4 with a few additions, wire-compatible for these resources

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
LOINC = "http://loinc.org"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
LEGISLATION = "https://www.legislation.gov.uk"

# Sharewise's own.
LOCAL_ID = "urn:sharewise:person"
STAFF_ID = "urn:sharewise:staff"
DISCLOSURE_ID = "urn:sharewise:disclosure"
CONSENT_RECORD_ID = "urn:sharewise:consent-record"
DECISION_ID = "urn:sharewise:sharing-decision"
ALERT_ID = "urn:sharewise:alert"
SHA256 = "urn:sharewise:sha256"
CONSENT_KIND = "urn:sharewise:consent-kind"
CONSENT_OUTCOME = "urn:sharewise:consent-outcome"
CAPACITY = "urn:sharewise:mental-capacity"
SHARING_OUTCOME = "urn:sharewise:sharing-outcome"
OVERRIDE_GROUND = "urn:sharewise:override-ground"
LAWFUL_BASIS = "urn:sharewise:lawful-basis"
SHARING_PURPOSE = "urn:sharewise:sharing-purpose"
ALERT_RULE = "urn:sharewise:alert-rule"
HARM_CATEGORY = "urn:sharewise:harm-category"
TEMPLATE = "urn:sharewise:referral-template"
TRAIL_ACTION = "urn:sharewise:trail-action"
ROLE = "urn:sharewise:role"
OBJECT_TYPE = "urn:sharewise:object-type"

# Extensions (their values are Codings of the systems above, or plain strings).
EXT_CONSENT_OUTCOME = "urn:sharewise:extension:consent-outcome"
EXT_CAPACITY = "urn:sharewise:extension:mental-capacity"
EXT_SHARING_OUTCOME = "urn:sharewise:extension:sharing-outcome"
EXT_OVERRIDE_GROUND = "urn:sharewise:extension:override-ground"
EXT_SEAL_HASH = "urn:sharewise:extension:trail-seal-hash"
EXT_SEAL_POSITION = "urn:sharewise:extension:trail-seal-position"

# Legislation each part of a lawful basis cites (legislation.gov.uk's own addresses).
UK_GDPR_ARTICLE = "https://www.legislation.gov.uk/eur/2016/679/article/{}"
DPA_2018_SCHEDULE_1 = "https://www.legislation.gov.uk/ukpga/2018/12/schedule/1/paragraph/{}"

# How the trail's actions map to AuditEvent.action, by their first word.
READ_WORDS = {
    "viewed",
    "listed",
    "searched",
    "downloaded",
    "opened",
    "exported",
    "read",
    "checked",
    "previewed",
    "shown",
}
CREATE_WORDS = {
    "recorded",
    "added",
    "created",
    "raised",
    "sent",
    "asked",
    "imported",
    "enrolled",
    "started",
    "assessed",
    "made",
    "requested",
    "linked",
}
UPDATE_WORDS = {
    "amended",
    "merged",
    "unmerged",
    "acknowledged",
    "decided",
    "countersigned",
    "reviewed",
    "changed",
    "answered",
    "approved",
    "declined",
    "closed",
    "reopened",
    "confirmed",
    "signed",
    "set",
    "unlinked",
}
DELETE_WORDS = {"removed", "revoked"}


def audit_action(action: str) -> str:
    """C, R, U, D or E (anything else, such as a refusal or break-glass)."""
    word = action.split(" ", 1)[0].lower() if action else ""
    if word in READ_WORDS:
        return "R"
    if word in CREATE_WORDS:
        return "C"
    if word in UPDATE_WORDS:
        return "U"
    if word in DELETE_WORDS:
        return "D"
    return "E"
