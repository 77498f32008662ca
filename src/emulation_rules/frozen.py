"""``@frozen``: ``@dataclass(frozen=True)`` defined for a fraction of its cost.

Python 3.11 writes out and compiles six functions for each frozen dataclass when the class is
defined (``__init__``, ``__setattr__``, ``__delattr__``, ``__eq__``, ``__hash__``, ``__repr__``):
half a millisecond a class, 20 ms of a one-unit ``evaluate``'s start for the classes its modules
define. Here ``__eq__``, ``__hash__`` and ``__repr__`` are shared functions reading the class's
fields instead. They behave as the generated ones of the running Python do: ``==`` compares two
objects of the same class by their compared fields (``NotImplemented`` otherwise; as tuples up to
Python 3.12, field by field and an object equal to itself from 3.13), ``hash()`` hashes the tuple
of the hashed fields, ``repr()`` reads ``Name(field=value, ...)`` and ``...`` where an object
holds itself; a method the class writes itself is kept, as ``dataclass`` keeps it.

Used by the modules a one-unit ``evaluate`` imports (``tests/unit/test_speed.py`` checks that
they define no frozen dataclass otherwise); elsewhere ``@dataclass(frozen=True)`` does as well.
"""

from __future__ import annotations

import _thread
import dataclasses
import sys
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

__all__ = ["frozen"]

_T = TypeVar("_T")


@overload
def frozen(cls: type[_T], /) -> type[_T]: ...


@overload
def frozen(*, slots: bool = False) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def frozen(cls: type[_T] | None = None, /, *, slots: bool = False) -> Any:
    """``@dataclass(frozen=True)`` (or ``(frozen=True, slots=True)``) with shared ``__eq__``,
    ``__hash__`` and ``__repr__`` (see the module doc)."""

    def wrap(cls: type[_T]) -> type[_T]:
        own = cls.__dict__
        explicit_hash = not ("__hash__" not in own or (own["__hash__"] is None and "__eq__" in own))
        made = dataclasses.dataclass(frozen=True, eq=False, repr=False, slots=slots)(cls)
        for name, method in _methods(made).items():
            if (name == "__hash__" and explicit_hash) or (name != "__hash__" and name in own):
                continue
            method.__name__, method.__qualname__ = name, f"{made.__qualname__}.{name}"
            setattr(made, name, method)
        return made

    return wrap if cls is None else wrap(cls)


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of an object's values of ``names``."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        (name,) = names
        return lambda obj: (getattr(obj, name),)
    return lambda obj: ()


def _methods(cls: type) -> dict[str, Callable[..., Any]]:
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields if f.compare)
    compared = _values(list(names))
    hashed = _values([f.name for f in fields if (f.compare if f.hash is None else f.hash)])
    shown = tuple(f.name for f in fields if f.repr)
    running: set[tuple[int, int]] = set()

    def __eq__(self: Any, other: object) -> Any:  # as Python 3.11 and 3.12 generate it
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __eq_313__(self: Any, other: object) -> Any:  # as Python 3.13 generates it
        if self is other:
            return True
        if other.__class__ is self.__class__:
            equal: Any = True
            for name in names:  # self.a == other.a and self.b == other.b ...
                equal = getattr(self, name) == getattr(other, name)
                if not equal:
                    return equal
            return equal
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    def __repr__(self: Any) -> str:
        key = id(self), _thread.get_ident()
        if key in running:
            return "..."
        running.add(key)
        try:
            return f"{self.__class__.__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in shown)})"
        finally:
            running.discard(key)

    return {"__eq__": __eq_313__ if sys.version_info >= (3, 13) else __eq__, "__hash__": __hash__,
            "__repr__": __repr__}
