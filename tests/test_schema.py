"""builder.schema: the rules that turn plain YAML data into the pitch and theme models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from builder.schema import Choice, Invalid, ListOf, MapOf, Model, Parsed, Str, rule, validate


def _no_x(text: str) -> str:
    if "x" in text:
        raise ValueError("Must not contain x")  # a capital: messages start lower-case
    return text.upper()


NAME = Str(min_length=1, max_length=5, checks=(_no_x,))


@dataclass(frozen=True, kw_only=True)
class Pet:
    """A pet."""

    name: str = rule(NAME)
    kind: str | None = rule(Choice(("cat", "dog", "fish")), default=None)


def _distinct(pets: list[Pet]) -> list[Pet]:
    if len({p.name for p in pets}) < len(pets):
        raise ValueError("two pets share a name")
    return pets


@dataclass(frozen=True, kw_only=True)
class Owner:
    """Someone with pets."""

    name: str = rule(NAME)
    pets: list[Pet] = rule(ListOf(Pet, max_length=3, checks=(_distinct,)), default_factory=list)
    tags: dict[str, str] = rule(MapOf(NAME, NAME, max_length=2), default_factory=dict)
    age: int = rule(Parsed(int, (("type", "integer"),), expected="must be a whole number"))

    def __post_init__(self) -> None:
        if self.name == "NOONE":
            raise ValueError("Nobody owns nothing")


def _problems(data: Any) -> list[tuple[tuple[str | int, ...], str, str]]:
    with pytest.raises(Invalid) as caught:
        validate(Owner, data)
    return [(p.loc, p.kind, p.message) for p in caught.value.problems]


def test_valid_data_becomes_the_dataclass_with_checks_applied() -> None:
    owner = validate(Owner, {"name": " ann ", "pets": [{"name": "tom", "kind": "cat"}], "age": "7"})
    assert owner == Owner(name="ANN", pets=[Pet(name="TOM", kind="cat")], age=7)
    assert owner.tags == {}


def test_every_problem_is_listed_with_its_place() -> None:
    data = {"pets": [{"name": ""}, {"name": "toolong", "kind": "cow"}], "age": ["7"], "hat": "x"}
    assert _problems(data) == [
        (("name",), "missing", "is required"),
        (("pets", 0, "name"), "value", "must not be empty"),
        (("pets", 1, "name"), "value", "is too long: 7 characters, at most 5"),
        (("pets", 1, "kind"), "value", "must be 'cat', 'dog' or 'fish'"),
        (("age",), "value", "must be a whole number"),
        (("hat",), "unknown", "unknown field"),
    ]


def test_an_unknown_field_names_the_allowed_ones() -> None:
    with pytest.raises(Invalid) as caught:
        validate(Owner, {"name": "a", "age": "1", "pet": []})
    assert caught.value.problems[0].allowed == ("name", "pets", "tags", "age")


def test_checks_refuse_with_their_own_message_in_lower_case() -> None:
    assert _problems({"name": "xy", "age": "1"}) == [(("name",), "value", "must not contain x")]
    assert _problems({"name": "a", "age": "one"}) == [
        (("age",), "value", "invalid literal for int() with base 10: 'one'")
    ]


def test_list_checks_see_the_whole_list_and_lengths_come_first() -> None:
    pets = [{"name": "tom"}, {"name": "tom"}]
    assert _problems({"name": "a", "age": "1", "pets": pets}) == [
        (("pets",), "value", "two pets share a name")
    ]
    many = [{"name": ""}] * 4  # too many: the items are not looked at
    assert _problems({"name": "a", "age": "1", "pets": many}) == [
        (("pets",), "value", "has 4 items; give at most 3")
    ]
    assert _problems({"name": "a", "age": "1", "pets": "tom"}) == [
        (("pets",), "value", "input should be a valid list")
    ]


def test_a_mapping_key_problem_is_marked_as_one() -> None:
    assert _problems({"name": "a", "age": "1", "tags": {"toolong": "b", "c": "x"}}) == [
        (("tags", "toolong"), "key", "is too long: 7 characters, at most 5"),
        (("tags", "c"), "value", "must not contain x"),
    ]


def test_the_whole_is_refused_by_post_init_and_wrong_shapes_are_named() -> None:
    assert _problems({"name": "noone", "age": "1"}) == [((), "value", "nobody owns nothing")]
    assert _problems(["a"]) == [((), "value", "must be a mapping of fields (name: value)")]
    assert _problems({"name": None, "age": "1"}) == [
        (("name",), "value", "input should be a valid string")
    ]


def test_an_optional_field_may_be_empty() -> None:
    assert validate(Pet, {"name": "a", "kind": None}) == Pet(name="A")


def test_json_schema_describes_the_rules() -> None:
    schema = Model(Owner).json_schema()
    assert schema["title"] == "Owner" and schema["description"] == "Someone with pets."
    assert schema["required"] == ["name", "age"] and schema["additionalProperties"] is False
    props = schema["properties"]
    assert props["name"] == {"type": "string", "minLength": 1, "maxLength": 5}
    assert props["age"] == {"type": "integer"}
    assert props["tags"]["maxProperties"] == 2
    pet = props["pets"]["items"]
    assert pet["properties"]["kind"] == {
        "anyOf": [{"enum": ["cat", "dog", "fish"]}, {"type": "null"}],
        "default": None,
    }
    assert props["pets"]["maxItems"] == 3
