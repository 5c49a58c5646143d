"""Policy documents as validated data. The shipped YAML is the default; each
organisation holds its own versions in the database. One module per kind of policy;
this one names them."""

from functools import cache

import yaml

from sharewise.policy.documents.access import (  # noqa: F401 - the kinds' names
    PRIVILEGED,
    AccessPolicy,
    RefusedAccess,
    SecondFactor,
    Sessions,
    StaffRole,
    TokenLimits,
)
from sharewise.policy.documents.governance import (  # noqa: F401 - the kinds' names
    CRITERIA,
    Criterion,
    GovernancePolicy,
    Owner,
    Question,
    Severity,
)
from sharewise.policy.documents.patterns import (  # noqa: F401 - the kinds' names
    AlertDecisionRule,
    CommonSourceRule,
    CrossTeamRule,
    PatternPolicy,
    RiskScoreRule,
    SameHarmRule,
    Switch,
    WindowRule,
)
from sharewise.policy.documents.recording import (  # noqa: F401 - the kinds' names
    ANSWER_CHECKS,
    NO_INDICATOR,
    Category,
    RecordingPolicy,
    ReviewHours,
    RiskIndicator,
    Shift,
    Standard,
)
from sharewise.policy.documents.referrals import (  # noqa: F401 - the kinds' names
    Minimum,
    ReferralField,
    ReferralPolicy,
    ReferralTemplate,
    Section,
    WrittenPolicy,
)
from sharewise.policy.documents.retention import (  # noqa: F401 - the kinds' names
    RECORD_TYPES,
    RUNS_FROM,
    Period,
    RetentionPolicy,
)
from sharewise.policy.documents.sharing import (  # noqa: F401 - the kinds' names
    REQUIRED_GROUNDS,
    Article6,
    Article9,
    Bases,
    Consent,
    CueRule,
    Fit,
    FitTable,
    OverrideGround,
    Schedule1,
    SharingOutcome,
    SharingPolicy,
    Way,
)
from sharewise.policy.documents.shipped import DEFAULTS

KINDS = {
    "recording": RecordingPolicy,
    "patterns": PatternPolicy,
    "sharing": SharingPolicy,
    "information_sharing": WrittenPolicy,
    "appropriate_policy": WrittenPolicy,
    "referrals": ReferralPolicy,
    "governance": GovernancePolicy,
    "access": AccessPolicy,
    "retention": RetentionPolicy,
}
WRITTEN = ("information_sharing", "appropriate_policy")


@cache
def default(kind: str):
    with open(DEFAULTS / f"{kind}.yaml", encoding="utf-8") as f:
        return KINDS[kind].model_validate(yaml.safe_load(f))
