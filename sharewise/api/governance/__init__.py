"""Audits and findings, case-file samples, actions, oversight meetings and their
agendas, supervision, the learning log and evidence packs. The same permissions and
changes as the pages: sharewise.governance's access module fetches, its operations
module writes; these handlers only translate. One module per kind of record."""

from sharewise.api.governance import actions, audits, evidence, learning, meetings, supervision
from sharewise.api.governance.common import router

__all__ = ["actions", "audits", "evidence", "learning", "meetings", "router", "supervision"]
