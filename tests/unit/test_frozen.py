"""``@frozen`` behaves as ``@dataclass(frozen=True)`` does: the same equality, hash, repr,
immutability, fields, pickling and ``replace`` (only the cost of defining the class differs)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from emulation_rules.frozen import frozen


@dataclass(frozen=True)
class Old:
    a: int
    b: Any = None
    c: tuple[Any, ...] = field(default_factory=tuple)
    hidden: str = field(default="h", repr=False)
    loose: float = field(default=0.5, compare=False)
    unhashed: int = field(default=0, hash=False)


@frozen
class New:
    a: int
    b: Any = None
    c: tuple[Any, ...] = field(default_factory=tuple)
    hidden: str = field(default="h", repr=False)
    loose: float = field(default=0.5, compare=False)
    unhashed: int = field(default=0, hash=False)


@dataclass(frozen=True, slots=True)
class OldSlots:
    a: int
    b: Any = None


@frozen(slots=True)
class NewSlots:
    a: int
    b: Any = None


class Odd:
    """Equal to nothing, itself included, and says so with an empty string."""

    def __eq__(self, other: object) -> Any:
        return ""

    __hash__ = object.__hash__


NAN, ODD = float("nan"), Odd()
CASES = [((1,), (1,)), ((1, "x"), (1, "x")), ((1, "x"), (2, "x")), ((1, float("nan")), (1, float("nan"))),
         ((1, NAN), (1, NAN)), ((1, (2, 3)), (1, (2, 3))), ((1, [1]), (1, [2])), ((1, None), (1, 0)),
         ((1, ODD), (1, ODD)), ((1, Odd()), (1, Odd())), ((2, ODD), (1, ODD))]


@pytest.mark.parametrize(("old", "new"), [(Old, New), (OldSlots, NewSlots)], ids=["plain", "slots"])
def test_equality_hash_and_repr_are_the_dataclass_ones(old: type, new: type) -> None:
    for left, right in CASES:
        extra: list[dict[str, Any]] = [{}]
        if new is New:
            extra += [{"loose": 9.0}, {"unhashed": 3}, {"hidden": "x", "c": (1,)}]
        for kw in extra:
            o1, o2, n1, n2 = old(*left, **kw), old(*right), new(*left, **kw), new(*right)
            assert (o1 == o2, o1 != o2, o2 == o1) == (n1 == n2, n1 != n2, n2 == n1)
            assert repr(o1) == repr(n1).replace("New", "Old")
            assert n1.__eq__(object()) is NotImplemented and n1 != 1
            assert (o1 == o1) == (n1 == n1)
            if not isinstance(left[-1], list):
                assert hash(o1) == hash(n1)
    with pytest.raises(TypeError):
        hash(new(1, [1]))  # a list in a hashed field, as for a dataclass


@pytest.mark.parametrize(("old", "new"), [(Old, New), (OldSlots, NewSlots)], ids=["plain", "slots"])
def test_immutability_fields_pickling_and_replace_are_the_dataclass_ones(old: type, new: type) -> None:
    n = new(1, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        n.a = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        del n.a
    assert [f.name for f in dataclasses.fields(new)] == [f.name for f in dataclasses.fields(old)]
    assert dataclasses.is_dataclass(new) and new.__match_args__ == old.__match_args__
    assert pickle.loads(pickle.dumps(n)) == n and copy.deepcopy(n) == n
    assert dataclasses.replace(n, a=5) == new(5, "x")
    assert dataclasses.asdict(n) == dataclasses.asdict(old(1, "x"))
    assert (new.__eq__.__name__, new.__eq__.__qualname__) == ("__eq__", f"{new.__name__}.__eq__")
    assert hasattr(n, "__dict__") == hasattr(old(1), "__dict__")


def test_a_repr_of_an_object_holding_itself_reads_as_the_dataclass_one() -> None:
    o, n = Old(1, []), New(1, [])
    o.b.append(o)
    n.b.append(n)
    assert repr(o) == repr(n).replace("New", "Old") == "Old(a=1, b=[...], c=(), loose=0.5, unhashed=0)"


def test_methods_the_class_writes_itself_are_kept() -> None:
    @frozen
    class Own:
        a: int

        def __repr__(self) -> str:
            return "mine"

        def __eq__(self, other: object) -> bool:
            return True

    @dataclass(frozen=True)
    class Theirs:
        a: int

        def __eq__(self, other: object) -> bool:
            return True

    assert repr(Own(1)) == "mine" and Own(1) == Own(2)
    assert hash(Own(1)) == hash(Theirs(1))  # hashed as a dataclass does, though __eq__ is its own

    @frozen
    class Hashed:
        a: int

        def __hash__(self) -> int:
            return 7

    assert hash(Hashed(1)) == 7 and Hashed(1) == Hashed(1) and Hashed(1) != Hashed(2)
