"""A read-only FHIR R4 export (built with fhir.resources.R4B, FHIR 4.3.0, which is R4
with a few additions and wire-compatible for these resources): mapping turns records
into resources, records fetches what the caller may see, routes answers."""

from sharewise.api.fhir.responses import is_fhir, outcome_response
from sharewise.api.fhir.routes import router

__all__ = ["is_fhir", "outcome_response", "router"]
