"""Each policy's title and what it is for, in the users' words."""

TITLES = {
    "recording": "Recording policy",
    "patterns": "Pattern rules",
    "sharing": "Decision framework",
    "information_sharing": "Information-sharing policy",
    "appropriate_policy": "Appropriate policy document",
    "governance": "Audits, meetings and supervision",
    "access": "Sign-in and sessions",
    "retention": "Retention of records",
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
ABOUT["retention"] = (
    "How long each kind of record about a person is kept, and what the period runs from "
    "(the last contact, or the close of the last enquiry), with the Records Management "
    "Code of Practice's basis for each. People whose records are due appear on the data "
    "protection officer's monthly review list; nothing is destroyed without the officer's "
    "approval, or while a legal hold is in place."
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
    "retention": "",
}
