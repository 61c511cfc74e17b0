"""Strict validation of plain YAML data into frozen dataclasses, and their JSON Schema.

:mod:`builder.yamlfile` keeps every scalar a string, so a pitch or theme file is only strings,
lists and mappings: validating it is one walk over them against a few rules (:class:`Str`,
:class:`Choice`, :class:`ListOf`, :class:`MapOf`, :class:`Parsed` and dataclasses declared
with :func:`rule`). Every problem is collected with its place, never only the first.

This replaces pydantic, whose import and schema building took 0.13 s of every command's
start, more than half of what a plain ``mkdocs build`` of a whole page takes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

Loc = tuple[str | int, ...]
_MISSING: Any = dataclasses.MISSING


@dataclass(frozen=True)
class Problem:
    """One thing wrong at *loc*. *kind* is ``value``, ``missing``, ``unknown`` (a key no
    field has; *allowed* names the fields there) or ``key`` (a mapping's key is refused)."""

    loc: Loc
    message: str
    kind: str = "value"
    allowed: tuple[str, ...] = ()


class Invalid(Exception):
    """The data breaks the rules; ``problems`` lists every break, in the order the walk met
    them: a model's fields as declared (each one's inner problems first), then its unknown
    keys."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.message}" for p in problems))


class Rule(Protocol):
    """What every rule can do: check a value, and describe itself as JSON Schema."""

    def check(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        """Return the value as the model holds it, or :data:`BAD` after adding problems."""

    def json_schema(self) -> dict[str, Any]:
        """Return the JSON Schema of the values this rule accepts."""


BAD: Any = object()  # what a rule returns after reporting a problem
Check = Callable[[str], str]  # returns the (maybe changed) text; raises ValueError to refuse


def _say(error: ValueError) -> str:
    message = str(error)
    return message[0].lower() + message[1:] if message else "is invalid"


def _apply(
    checks: tuple[Callable[[Any], Any], ...], value: Any, loc: Loc, problems: list[Problem]
) -> Any:
    """Return *value* passed through *checks* in order, or :data:`BAD` after the first
    refusal (a ValueError, whose message becomes the problem)."""
    try:
        for check in checks:
            value = check(value)
    except ValueError as e:
        problems.append(Problem(loc, _say(e)))
        return BAD
    return value


@dataclass(frozen=True)
class Str:
    """Text with a length range (counted after stripping the ends), then *checks* in order."""

    min_length: int = 0
    max_length: int | None = None
    checks: tuple[Check, ...] = ()
    strip: bool = True

    def check(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if not isinstance(value, str):
            problems.append(Problem(loc, "input should be a valid string"))
            return BAD
        text = value.strip() if self.strip else value
        if len(text) < self.min_length:
            problems.append(Problem(loc, "must not be empty"))
            return BAD
        if self.max_length is not None and len(text) > self.max_length:
            message = f"is too long: {len(text)} characters, at most {self.max_length}"
            problems.append(Problem(loc, message))
            return BAD
        return _apply(self.checks, text, loc, problems)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if self.min_length:
            schema["minLength"] = self.min_length
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        return schema


@dataclass(frozen=True)
class Choice:
    """One of a few fixed words."""

    values: tuple[str, ...]

    def check(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if isinstance(value, str) and value in self.values:
            return value
        quoted = [f"'{v}'" for v in self.values]
        problems.append(Problem(loc, f"must be {', '.join(quoted[:-1])} or {quoted[-1]}"))
        return BAD

    def json_schema(self) -> dict[str, Any]:
        return {"enum": list(self.values)}


@dataclass(frozen=True)
class Parsed:
    """Text turned into another value by *parse*, which raises ValueError to refuse it."""

    parse: Callable[[str], Any]
    schema: tuple[tuple[str, Any], ...] = (("type", "string"),)
    expected: str = "input should be a valid string"  # said of a list, mapping or nothing

    def check(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if not isinstance(value, str):
            problems.append(Problem(loc, self.expected))
            return BAD
        return _apply((self.parse,), value.strip(), loc, problems)

    def json_schema(self) -> dict[str, Any]:
        return dict(self.schema)


def _count(problems: list[Problem], loc: Loc, count: int, low: int, high: int | None) -> bool:
    """Add a problem and return False when *count* items are outside *low*..*high*."""
    if count < low:
        problems.append(Problem(loc, f"has {count} items; give at least {low}"))
    elif high is not None and count > high:
        problems.append(Problem(loc, f"has {count} items; give at most {high}"))
    else:
        return True
    return False


@dataclass(frozen=True)
class ListOf:
    """A list of *item*, with a length range; *checks* see the whole list once every item
    is valid, and raise ValueError to refuse it."""

    item: Rule | type
    min_length: int = 0
    max_length: int | None = None
    checks: tuple[Callable[[list[Any]], list[Any]], ...] = ()

    def check(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if not isinstance(value, list):
            problems.append(Problem(loc, "input should be a valid list"))
            return BAD
        if not _count(problems, loc, len(value), self.min_length, self.max_length):
            return BAD
        item = as_rule(self.item)
        before = len(problems)
        items = [item.check(v, (*loc, i), problems) for i, v in enumerate(value)]
        return BAD if len(problems) > before else _apply(self.checks, items, loc, problems)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": as_rule(self.item).json_schema()}
        if self.min_length:
            schema["minItems"] = self.min_length
        if self.max_length is not None:
            schema["maxItems"] = self.max_length
        return schema


@dataclass(frozen=True)
class MapOf:
    """A mapping of *key* to *value*, at most *max_length* entries, in the file's order."""

    key: Rule
    value: Rule
    max_length: int | None = None

    def check(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if not isinstance(value, dict):
            problems.append(Problem(loc, "input should be a valid dictionary"))
            return BAD
        if not _count(problems, loc, len(value), 0, self.max_length):
            return BAD
        before, result = len(problems), {}
        for key, item in value.items():
            refused: list[Problem] = []
            checked_key = self.key.check(key, (*loc, key), refused)
            problems += [dataclasses.replace(p, kind="key") for p in refused]
            result[checked_key] = self.value.check(item, (*loc, key), problems)
        return BAD if len(problems) > before else result

    def json_schema(self) -> dict[str, Any]:
        schema = {"type": "object", "additionalProperties": self.value.json_schema()}
        return schema | ({"maxProperties": self.max_length} if self.max_length else {})


def rule(what: Rule | type, *, default: Any = _MISSING, default_factory: Any = _MISSING) -> Any:
    """Return a dataclass field checked by *what* (a rule, or a model dataclass); without a
    default the field is required, with ``default=None`` it may be left out or empty."""
    return dataclasses.field(
        default=default, default_factory=default_factory, metadata={"rule": what}
    )


@dataclass(frozen=True)
class Model:
    """A mapping of fields into the dataclass *cls*, whose fields say their rules with
    :func:`rule` (fields without one are not read from the file). Unknown keys are refused;
    the class's ``__post_init__`` may raise ValueError to refuse the whole."""

    cls: type

    def fields(self) -> list[dataclasses.Field[Any]]:
        """Return the fields that are read from the file, in declared order."""
        return [f for f in dataclasses.fields(self.cls) if "rule" in f.metadata]

    def check(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if not isinstance(value, dict):
            problems.append(Problem(loc, "must be a mapping of fields (name: value)"))
            return BAD
        before = len(problems)
        given: dict[str, Any] = {}
        fields = self.fields()
        for field in fields:
            if field.name not in value:
                if field.default is _MISSING and field.default_factory is _MISSING:
                    problems.append(Problem((*loc, field.name), "is required", "missing"))
            elif value[field.name] is None and field.default is None:
                given[field.name] = None
            else:
                checked = as_rule(field.metadata["rule"])
                given[field.name] = checked.check(value[field.name], (*loc, field.name), problems)
        names = tuple(f.name for f in fields)
        for key in value:
            if key not in names:
                problems.append(Problem((*loc, key), "unknown field", "unknown", names))
        if len(problems) > before:
            return BAD
        try:
            return self.cls(**given)
        except ValueError as e:
            problems.append(Problem(loc, _say(e)))
            return BAD

    def json_schema(self) -> dict[str, Any]:
        properties, required = {}, []
        for field in self.fields():
            schema = as_rule(field.metadata["rule"]).json_schema()
            if field.default is _MISSING and field.default_factory is _MISSING:
                required.append(field.name)
            elif field.default is None:
                schema = {"anyOf": [schema, {"type": "null"}], "default": None}
            elif field.default is not _MISSING:
                schema["default"] = field.default
            properties[field.name] = schema
        doc = (self.cls.__doc__ or "").strip()
        described = {"description": " ".join(doc.split())} if doc else {}
        return {
            "title": self.cls.__name__,
            **described,
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }


def as_rule(what: Rule | type) -> Rule:
    """Return *what* as a rule: a dataclass stands for :class:`Model` of it."""
    return Model(what) if isinstance(what, type) else what


def validate(what: Rule | type, data: Any, loc: Loc = ()) -> Any:
    """Return *data* checked and converted by *what*; raise :class:`Invalid` listing every
    problem."""
    problems: list[Problem] = []
    result = as_rule(what).check(data, loc, problems)
    if problems:
        raise Invalid(problems)
    return result
