"""Policies as plain questions: which settings of each policy a form shows, in the
users' words (questions); putting answers back into a document (form); saying what a
change does (differences); and saying what is wrong with a document in plain English
(problems). Policy files are read and written in files.

Plain data in, plain data out (no Django here): the forms and pages are thin around it.
This module names the parts the pages use."""

from sharewise.policy.editing.differences import Change, changes
from sharewise.policy.editing.files import Unreadable, as_yaml, read_yaml
from sharewise.policy.editing.form import (
    Group,
    Path,
    Setting,
    answer,
    apply,
    groups,
    lines,
    settings,
)
from sharewise.policy.editing.problems import Problem, problems
from sharewise.policy.editing.questions import EDITABLE
from sharewise.policy.editing.words import said

__all__ = [
    "EDITABLE",
    "Change",
    "Group",
    "Path",
    "Problem",
    "Setting",
    "Unreadable",
    "answer",
    "apply",
    "as_yaml",
    "changes",
    "groups",
    "lines",
    "problems",
    "read_yaml",
    "said",
    "settings",
]
