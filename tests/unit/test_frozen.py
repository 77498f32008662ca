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


@dataclass(frozen=True)
class OldMade:
    a: int
    made: list[int] = field(default_factory=list)
    fixed: str = field(default="f", init=False)
    late: dict[str, int] = field(default_factory=dict, init=False)


@frozen
class NewMade:
    a: int
    made: list[int] = field(default_factory=list)
    fixed: str = field(default="f", init=False)
    late: dict[str, int] = field(default_factory=dict, init=False)


@pytest.mark.parametrize(("old", "new"), [(Old, New), (OldMade, NewMade), (OldSlots, NewSlots)],
                         ids=["defaults", "factories", "slots"])
def test_the_init_and_what_describes_the_class_are_the_dataclass_ones(old: type, new: type) -> None:
    """A plain class's ``__init__`` is written by ``frozen`` itself (one compile, shared
    ``__setattr__``/``__delattr__``): its signature, annotations, defaults made by factories,
    errors, the class's doc and ``__dataclass_params__`` read as ``dataclass``'s."""
    import inspect

    assert str(inspect.signature(new)) == str(inspect.signature(old))
    assert new.__doc__ == old.__doc__.replace(old.__name__, new.__name__)  # made from the signature
    assert new.__init__.__annotations__ == old.__init__.__annotations__
    assert new.__init__.__qualname__ == f"{new.__name__}.__init__"
    assert new.__init__.__module__ == old.__init__.__module__
    assert new.__match_args__ == old.__match_args__
    params = new.__dataclass_params__  # type: ignore[attr-defined]
    # as dataclass(frozen=True, eq=False, repr=False) leaves them: eq and repr are frozen's own
    assert [getattr(params, p) for p in ("init", "repr", "eq", "order", "unsafe_hash", "frozen")] == \
        [True, False, False, False, False, True]
    o, n = old(1), new(1)
    assert vars(n) == vars(o) if hasattr(o, "__dict__") else True
    if hasattr(o, "__dict__"):
        assert list(vars(n)) == list(vars(o))  # the same fields set, in the same order
    if old is OldMade:
        assert n.made == [] and n.made is not new(1).made and n.late == {} and n.fixed == "f"
        assert new(1, [2]).made == [2]
    for call in (lambda c: c(), lambda c: c(1, 2, 3, 4, 5, 6, 7), lambda c: c(1, nope=2), lambda c: c(1, a=1)):
        with pytest.raises(TypeError) as theirs:
            call(old)
        with pytest.raises(TypeError) as ours:
            call(new)
        assert str(ours.value) == str(theirs.value).replace(old.__name__, new.__name__)
    for action in (lambda x: setattr(x, "a", 2), lambda x: delattr(x, "a"), lambda x: setattr(x, "other", 1),
                   lambda x: delattr(x, "other")):
        with pytest.raises(Exception) as theirs:
            action(o)
        with pytest.raises(Exception) as ours:
            action(n)
        # the same error; 3.13's super() check names the class (slots: dataclass's own class)
        assert (type(ours.value), str(ours.value)) == \
            (type(theirs.value), str(theirs.value).replace(old.__name__, new.__name__))


def test_classes_frozen_does_not_write_an_init_for_are_made_by_dataclass() -> None:
    """``__post_init__``, ``InitVar`` and keyword-only fields are left to ``dataclass``, and a
    default before a field without one is the same error."""

    @frozen
    class Post:
        a: int
        doubled: int = field(init=False, default=0)

        def __post_init__(self) -> None:
            object.__setattr__(self, "doubled", self.a * 2)

    @frozen
    class Keyword:
        a: int
        b: int = field(default=0, kw_only=True)

    @frozen
    class Initial:
        a: int
        scale: dataclasses.InitVar[int] = 1

    assert Post(2).doubled == 4 and Keyword(1, b=2).b == 2 and Initial(1, 3).a == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        Post(2).a = 3
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @frozen
        class Unordered:
            a: int = 0
            b: int
