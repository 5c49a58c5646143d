"""What every request body is built on."""

from ninja import Schema
from pydantic import ConfigDict


class Input(Schema):
    """A request body. A field it does not have is refused (422, named), not ignored:
    a misspelt "choice" or "monitor_untill" would otherwise answer 200 and change
    nothing, or change less than the caller meant."""

    model_config = ConfigDict(extra="forbid")
