"""Sign-in and sessions: second factors, session lengths, API tokens, refused requests."""

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from sharewise.policy.documents.shipped import at_most

PRIVILEGED = ("safeguarding_lead", "dpo", "auditor", "administrator")
StaffRole = Literal[
    "care_worker", "team_manager", "safeguarding_lead", "dpo", "auditor", "administrator"
]


class SecondFactor(BaseModel):
    everyone: bool = False
    step_up_minutes: int = Field(15, ge=1, le=240)


class Sessions(BaseModel):
    idle_minutes: int = Field(30, ge=5, le=480)
    idle_minutes_privileged: int = Field(15, ge=5, le=480)
    absolute_hours: int = Field(12, ge=1, le=24)
    absolute_hours_privileged: int = Field(8, ge=1, le=24)

    _idle = field_validator("idle_minutes_privileged")(
        at_most("idle_minutes", "minutes", "for everyone else")
    )
    _absolute = field_validator("absolute_hours_privileged")(
        at_most("absolute_hours", "hours", "for everyone else")
    )


class TokenLimits(BaseModel):
    max_days: int = Field(90, ge=1, le=366)
    default_days: int = Field(30, ge=1, le=366)

    _within = field_validator("default_days")(
        at_most("max_days", "days", "the longest a token may last")
    )


class RefusedAccess(BaseModel):
    notice_after: int = Field(10, ge=1, le=1000)
    window_minutes: int = Field(60, ge=1, le=1440)


class AccessPolicy(BaseModel):
    privileged_roles: list[StaffRole] = list(PRIVILEGED)
    second_factor: SecondFactor = SecondFactor()
    sessions: Sessions = Sessions()
    api_tokens: TokenLimits = TokenLimits()
    refused_access: RefusedAccess = RefusedAccess()

    @field_validator("privileged_roles")
    @classmethod
    def _keeps_the_four(cls, roles):
        if missing := [r for r in PRIVILEGED if r not in roles]:
            raise ValueError(
                "safeguarding leads, data protection officers, auditors and administrators "
                f"always need a second factor: put back {', '.join(missing)}"
            )
        return list(dict.fromkeys(roles))

    def is_privileged(self, roles) -> bool:
        return any(r in self.privileged_roles for r in roles)
