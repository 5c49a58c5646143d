"""A policy as a form: its settings, with types and limits read from the documents' own
models, so the form cannot allow what saving would refuse, nor refuse what it would
allow; and answers put back into a document."""

from __future__ import annotations

import copy
import types
import typing
from dataclasses import dataclass
from datetime import time
from types import SimpleNamespace
from typing import Annotated, Literal, get_args, get_origin

from pydantic import BaseModel

from sharewise.policy import documents
from sharewise.policy.editing.questions import CHOICES, FORMS, Ask, Section
from sharewise.policy.editing.words import words

Path = tuple  # of str keys and int list positions


@dataclass(frozen=True)
class Setting:
    """One question on a policy form."""

    path: Path
    label: str
    hint: str
    kind: str  # whole, number, switch, text, long_text, lines, time, choice, choices
    group: str  # the fieldset it sits in, said in errors so the field is unmistakable
    minimum: float | None = None  # at least
    maximum: float | None = None  # at most
    above: float | None = None  # more than
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return "-".join(str(p) for p in self.path)

    def named(self, words: str) -> str:
        """A message about this setting, naming it in full."""
        return f"{self.group}: {self.label[0].lower()}{self.label[1:]} {words}"


@dataclass(frozen=True)
class Group:
    part: str  # the heading the group sits under
    title: str
    settings: tuple[Setting, ...]
    hint: str = ""
    folded: bool = False  # one of many alike (a category, a criterion): shown folded


# --- Reading types and limits from the models --------------------------------------------


def _split(at: str) -> Path:
    return tuple(at.split("."))


def _inner(annotation):
    """The annotation without Optional."""
    args = get_args(annotation)
    if get_origin(annotation) in (typing.Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def _type_at(model: type[BaseModel], path: Path):
    """(annotation, field info or None) of the value at path."""
    annotation, info = model, None
    for step in path:
        annotation = _inner(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields[step]
            annotation = info.annotation
        elif get_origin(annotation) is list:
            annotation, info = get_args(annotation)[0], None
        elif get_origin(annotation) is dict:
            annotation, info = get_args(annotation)[1], None
        else:
            raise KeyError(path)
    if get_origin(annotation) is Annotated:  # a constrained value inside a mapping
        annotation, *rules = get_args(annotation)
        info = SimpleNamespace(metadata=[m for r in rules for m in getattr(r, "metadata", [r])])
    return _inner(annotation), info


def _limits(info) -> dict:
    found = {}
    for rule in getattr(info, "metadata", ()) or ():
        for name, key in (("ge", "minimum"), ("le", "maximum"), ("gt", "above")):
            if getattr(rule, name, None) is not None:
                found[key] = getattr(rule, name)
    return found


def _setting(model, path: Path, ask: Ask, group: str, document: dict) -> Setting:
    annotation, info = _type_at(model, path)
    choices = ()
    if annotation is bool:
        kind = "switch"
    elif annotation is int:
        kind = "whole"
    elif annotation is float:
        kind = "number"
    elif annotation is time:
        kind = "time"
    elif annotation is str:
        kind = "long_text" if ask.long else "text"
    elif get_origin(annotation) is Literal:
        kind, choices = "choice", _titled(path, get_args(annotation), document)
    elif get_origin(annotation) is list and get_args(annotation)[0] is str:
        kind = "lines"
    elif get_origin(annotation) is list and get_origin(get_args(annotation)[0]) is Literal:
        kind = "choices"
        choices = _titled(path, get_args(get_args(annotation)[0]), document)
    else:  # pragma: no cover - a form asking what it cannot show is a mistake here
        raise TypeError(f"No question for {path}: {annotation}")
    return Setting(path, ask.label, ask.hint, kind, group, choices=choices, **_limits(info))


def _titled(path: Path, values, document) -> tuple[tuple[str, str], ...]:
    key = path[-1]
    titles = CHOICES.get(key) or document.get(key if key != "article_6_default" else "article_6")
    titles = titles if isinstance(titles, dict) else {}
    return tuple((v, titles.get(v, words(v))) for v in values)


def _get_or_none(document, path: Path):
    try:
        return _get(document, path)
    except (KeyError, IndexError, TypeError):
        return None


def _get(document, path: Path):
    for step in path:
        document = document[step]
    return document


def groups(kind: str, document: dict) -> list[Group]:
    """The form for one policy, as groups of settings, for this version's document
    (a list's items each get their own group)."""
    model = documents.KINDS[kind]
    found = []
    for spec in FORMS[kind]:
        if isinstance(spec, Section):
            settings = tuple(
                _setting(model, _split(a.at), a, spec.title, document) for a in spec.asks
            )
            found.append(Group(spec.part, spec.title, settings, spec.hint))
            continue
        base = _split(spec.at)
        items = _get(document, base)
        keys = list(items) if isinstance(items, dict) else range(len(items))
        for n, key in enumerate(keys, start=1):
            item = items[key]
            title = str(item.get(spec.title) or "") if spec.title else ""
            title = title or f"{spec.numbered or 'Item'} {n}"
            settings = tuple(
                _setting(model, (*base, key, *_split(a.at)), a, title, document)
                for a in spec.asks
                if not a.only_if_set or _get(item, _split(a.at))
            )
            found.append(Group(spec.part, title, settings, spec.hint, folded=True))
    return found


def settings(kind: str, document: dict) -> list[Setting]:
    return [s for g in groups(kind, document) for s in g.settings]


# --- Answers in and out ------------------------------------------------------------------


def answer(setting: Setting, document: dict):
    """The current answer to a setting, as a form shows it."""
    value = _get(document, setting.path)
    if setting.kind == "lines":
        return "\n".join(value)
    if setting.kind == "time" and isinstance(value, str):
        return time.fromisoformat(value)
    if setting.kind == "number" and isinstance(value, float) and value.is_integer():
        return int(value)  # 24, not 24.0
    return value


def apply(document: dict, answers: dict[Path, object]) -> dict:
    """A copy of document with each setting's answer put in its place."""
    changed = copy.deepcopy(document)
    for path, value in answers.items():
        if isinstance(value, time):
            value = value.isoformat()
        target = _get(changed, path[:-1])
        target[path[-1]] = value
    return changed


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
