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

On Python 3.11 and 3.12 ``dataclass`` also compiles ``__init__``, ``__setattr__`` and
``__delattr__`` one by one (about 0.2 ms each: 18 ms of a one-unit ``evaluate``'s start for its 32
classes, 7 ms left after this). Here a class without slots, ``__post_init__``, ``InitVar`` or
keyword-only fields shares ``__setattr__`` and ``__delattr__`` functions that refuse as the
generated ones do, and its ``__init__`` is one short text compiled (:func:`_init`: the same
parameters, defaults, annotations and fields set, in the same order); everything else (its
fields, ``__match_args__``, ``__dataclass_params__``, the doc made from the signature) is
``dataclass``'s own. Other classes go through ``dataclass(frozen=True)`` whole.

Used by the modules a one-unit ``evaluate`` imports (``tests/unit/test_speed.py`` checks that
they define no frozen dataclass otherwise); elsewhere ``@dataclass(frozen=True)`` does as well.
"""

from __future__ import annotations

import _thread
import dataclasses
import inspect
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
        made = _lean(cls) if not slots and _plain(cls) else \
            dataclasses.dataclass(frozen=True, eq=False, repr=False, slots=slots)(cls)
        for name, method in _methods(made).items():
            if (name == "__hash__" and explicit_hash) or (name != "__hash__" and name in own):
                continue
            method.__name__, method.__qualname__ = name, f"{made.__qualname__}.{name}"
            setattr(made, name, method)
        return made

    return wrap if cls is None else wrap(cls)


def _plain(cls: type) -> bool:
    """Whether ``cls`` asks nothing of its ``__init__`` that :func:`_lean` does not write: no
    dataclass base, no ``__post_init__``, no ``InitVar``, ``KW_ONLY`` or keyword-only field, no
    field a descriptor sets or named as :func:`_init` names its own, none of the methods a frozen
    dataclass makes written by the class itself (``dataclass`` words those cases)."""
    own = cls.__dict__
    if hasattr(cls, "__post_init__") or "__setattr__" in own or "__delattr__" in own:
        return False
    for name, kind in own.get("__annotations__", {}).items():
        held = getattr(cls, name, None)
        if isinstance(held, dataclasses.Field):
            if held.kw_only is True:
                return False
        elif hasattr(type(held), "__set__"):
            return False  # object.__setattr__ would call it
        if "InitVar" in str(kind) or "KW_ONLY" in str(kind) or name in ("self", "__dict__") or \
                name.startswith("_fz"):
            return False
    return not any(dataclasses.is_dataclass(base) for base in cls.__mro__[1:])


class _Factory:
    """The default an ``__init__`` parameter filled by a factory shows (as ``dataclass``'s)."""

    def __repr__(self) -> str:
        return "<factory>"


_HAS_DEFAULT_FACTORY = _Factory()


def _lean(cls: type[_T]) -> type[_T]:
    """``dataclass(frozen=True, eq=False, repr=False)(cls)`` with one short function compiled."""
    undocumented = not cls.__doc__
    if undocumented:
        cls.__doc__ = "-"  # ``dataclass`` would describe a signature without the __init__ yet
    made = dataclasses.dataclass(init=False, frozen=False, eq=False, repr=False)(cls)
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    if "__init__" not in made.__dict__:
        init = _init(made, fields)
        init.__qualname__ = f"{made.__qualname__}.__init__"
        made.__init__ = init  # type: ignore[method-assign]
    names = tuple(f.name for f in fields)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is made or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(made, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is made or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(made, self).__delattr__(name)

    for method in (__setattr__, __delattr__):
        method.__qualname__ = f"{made.__qualname__}.{method.__name__}"
        setattr(made, method.__name__, method)
    params = made.__dataclass_params__  # type: ignore[attr-defined]
    params.init = params.frozen = True
    if undocumented:
        try:
            made.__doc__ = made.__name__ + str(inspect.signature(made)).replace(" -> None", "")
        except (TypeError, ValueError):  # pragma: no cover - as dataclass does
            made.__doc__ = made.__name__
    return made


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """The ``__init__`` ``dataclass(frozen=True)`` writes for ``fields``: the same parameters,
    defaults and annotations, the same fields set in the same order (a default made by a factory
    when the parameter is left out), in the module of ``cls``. Its text is the least that does it,
    the fields set together in the object's ``__dict__`` (as ``object.__setattr__`` sets a field
    no class attribute describes; :func:`_plain` sees to that), defaults and annotations set on the
    function afterwards: compiling costs by the token, and this is also quicker to call."""
    missing = dataclasses.MISSING
    names: dict[str, Any] = {"_fz_d": None, "_fz_F": _HAS_DEFAULT_FACTORY}
    params, set_names, values = ["self"], [], []
    defaults: list[Any] = []
    annotations: dict[str, Any] = {}
    for f in fields:
        if f.init:
            annotations[f.name] = f.type
            if f.default is missing and f.default_factory is missing:
                if defaults:
                    raise TypeError(f"non-default argument {f.name!r} follows default argument")
                params.append(f.name)
            else:
                defaults.append(f.default if f.default is not missing else _HAS_DEFAULT_FACTORY)
                params.append(f"{f.name}=_fz_d")
        if f.default_factory is not missing:
            factory = f"_fz_f{len(names)}"
            names[factory] = f.default_factory
            values.append(f"{factory}() if {f.name} is _fz_F else {f.name}" if f.init else f"{factory}()")
        elif f.init:
            values.append(f.name)
        else:
            continue  # read from the class attribute holding its default
        set_names.append(f.name)
    names["_fz_n"] = tuple(set_names)
    body = f"self.__dict__.update(zip(_fz_n,({','.join(values)},)))" if values else "pass"
    text = f"def _fz({','.join(names)}):\n def __init__({','.join(params)}):\n  {body}\n return __init__"
    module = sys.modules.get(cls.__module__)
    space: dict[str, Any] = {}
    exec(text, module.__dict__ if module else {}, space)  # as dataclass compiles its functions
    made: Callable[..., None] = space["_fz"](**names)
    made.__defaults__ = tuple(defaults) or None
    made.__annotations__ = {**annotations, "return": None}
    return made


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
