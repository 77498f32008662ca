"""The two forms of a campaign node: the pydantic model's, and a plain twin without pydantic.

Every class of the campaign model derives from its kind's *shape* (:mod:`.nodes`). A campaign
read back from the user's cache (:mod:`.cache`) by ``evaluate`` is made of *twins*: instances of
a plain class deriving from the same shape, holding the same field values and private values
(what the loader found of the document texts), built without importing pydantic or the model
(two thirds of a cold start). A twin is frozen as a model is (its fields cannot be set), equal to
a node of its kind with equal fields and private values, and hashed as pydantic hashes a frozen
model. What a twin cannot do is what needs pydantic: validation, ``model_dump``, a JSON Schema;
:func:`replace`, :func:`made_like` and :meth:`Shape.new` stand for ``model_copy``, a validated
constructor and ``model_construct`` on either form.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

Layout = tuple[str, tuple[str, ...], tuple[str | None, ...], tuple[Any, ...], dict[str, Any]]
"""A kind's ``(name, field names, their aliases, their defaults, private defaults)``, in the
model's field order; a required field's default is :data:`REQUIRED`."""

REQUIRED: Any = Ellipsis
_MODELS: dict[str, Any] = {}  # kind -> pydantic model class, once the model is imported
_LAYOUTS: dict[str, Layout] = {}  # kind -> layout, from the model or from a cache entry
_TWINS: dict[str, type] = {}  # kind -> twin class
_KINDS: dict[type, str] = {}  # any class deriving from a shape -> its kind
_SHAPES: set[type] = set()  # the shapes themselves (.nodes)
_SHAPE_OF_KIND: dict[str, type] = {}  # kind -> its shape
_BUILD: list[Callable[[], None]] = []  # the model's build_models, once imported


_S = TypeVar("_S", bound="Shape")
_N = TypeVar("_N")


class Shape:
    """The base of every kind of campaign node (see the module doc)."""

    __slots__ = ()

    @classmethod
    def new(cls: type[_S], **fields: Any) -> _S:
        """A node of this kind with these fields, the others at their defaults, not validated:
        the model's ``model_construct`` once the model is imported, else a twin."""
        kind = kind_of(cls)
        model = _MODELS.get(kind)
        if model is not None:
            return model.model_construct(**fields)  # type: ignore[no-any-return]
        return _twin(kind, fields)  # type: ignore[no-any-return]


def kind_of(cls: type) -> str:
    """The kind of a shape, model or twin class (``"Compare"``).

    Raises:
        KeyError: ``cls`` derives from no shape.
    """
    kind = _KINDS.get(cls)
    if kind is None:
        kind = next(_KINDS[c] for c in cls.__mro__ if c in _SHAPES)
        _KINDS[cls] = kind
    return kind


def made_like(node: Any, kind: str, /, **fields: Any) -> Any:
    """A node of ``kind`` in ``node``'s form: validated by the model for a model (its validators
    built first), else a twin (unvalidated, the other fields at their defaults)."""
    if isinstance(node, Twin):
        return _twin(kind, fields)
    for build in _BUILD:
        build()
    return _MODELS[kind](**fields)


def shape_of(cls: type) -> type:
    """The shape a model or twin class derives from (``CompareShape`` for ``Compare``)."""
    return next(c for c in cls.__mro__ if c in _SHAPES)


def layout_of(node: Any) -> Layout:
    """The layout of a node's kind: field names, aliases and defaults in the model's order."""
    return node._layout if isinstance(node, Twin) else _LAYOUTS[kind_of(type(node))]


class Twin:
    """The plain form of a node (see the module doc); its class derives from the kind's shape."""

    __slots__ = ("__dict__", "_private")
    _layout: Layout

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._layout[4]:
            private = object.__getattribute__(self, "_private")
            if private is None:
                private = {}
                Twin._private.__set__(self, private)  # type: ignore[attr-defined]
            private[name] = value
            return
        raise AttributeError(f"{self._layout[0]} is frozen: its field {name!r} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{self._layout[0]} is frozen: its field {name!r} cannot be deleted")

    def __getattr__(self, name: str) -> Any:  # a private value, or its default
        defaults = type(self)._layout[4]
        if name in defaults:
            private = object.__getattribute__(self, "_private")
            return private[name] if private is not None and name in private else defaults[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Shape) or kind_of(type(other)) != self._layout[0]:
            return NotImplemented
        return self.__dict__ == other.__dict__ and _private_of(self) == _private_of(other)

    def __hash__(self) -> int:  # as pydantic hashes a frozen model: its field values
        fields = self._layout[1]
        if not fields:
            return 0
        return hash(operator.itemgetter(*fields)(self.__dict__))

    def __repr__(self) -> str:
        return f"{self._layout[0]}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"

    def __reduce__(self) -> tuple[Any, ...]:
        private = object.__getattribute__(self, "_private")
        return _twin_of_layout, (self._layout, tuple(self.__dict__.values()), private)


def _private_of(node: Any) -> dict[str, Any]:
    if isinstance(node, Twin):
        private = object.__getattribute__(node, "_private")
        return {**node._layout[4], **(private or {})}
    return getattr(node, "__pydantic_private__", None) or {}


def _twin_class(layout: Layout) -> type:
    kind = layout[0]
    cls = _TWINS.get(kind)
    if cls is None or (cls._layout is not layout and cls._layout != layout):  # type: ignore[attr-defined]
        cls = type(kind, (_SHAPE_OF_KIND[kind], Twin), {"__slots__": (), "__hash__": Twin.__hash__, "_layout": layout,
                                        "__module__": __name__, "__qualname__": kind})
        _TWINS[kind] = cls
    return cls


def _twin(kind: str, fields: dict[str, Any]) -> Any:
    layout = _LAYOUTS.get(kind)
    if layout is None:  # neither the model nor a cache entry read yet (a text made at import)
        layout = _LAYOUTS[kind] = (kind, tuple(fields), (None,) * len(fields), (REQUIRED,) * len(fields), {})
    values = []
    for name, default in zip(layout[1], layout[3], strict=True):
        value = fields.get(name, default)
        if value is REQUIRED:
            raise TypeError(f"{kind}: field {name!r} is required")
        values.append(value)
    unknown = fields.keys() - set(layout[1])
    if unknown:
        raise TypeError(f"{kind}: no field {sorted(unknown)[0]!r}")
    return _twin_of_layout(layout, tuple(values), None)


def _twin_of_layout(layout: Layout, values: tuple[Any, ...], private: dict[str, Any] | None) -> Any:
    obj: Any = object.__new__(_twin_class(layout))
    obj.__dict__.update(zip(layout[1], values, strict=True))
    Twin._private.__set__(obj, private)  # type: ignore[attr-defined]
    return obj


def restore(kind: str, values: tuple[Any, ...], fields_set: Any, private: dict[str, Any] | None) -> Any:
    """The twin of a node kept in a cache entry: ``kind``, its field values in the model's order,
    the fields set when it was validated (kept for the model's own reading, see :mod:`.cache`)
    and its private values. The kinds' layouts come first in the entry (:func:`install_layouts`)."""
    return _twin_of_layout(_LAYOUTS[kind], values, private)


def reduce_node(node: Any) -> tuple[Any, ...] | None:
    """How a cache entry keeps a model node (``restore``'s call), or None for anything else."""
    if not isinstance(node, Shape) or isinstance(node, Twin):
        return None
    model: Any = node  # a pydantic model: its state as pydantic pickles it
    kind = kind_of(type(node))
    values = tuple(node.__dict__[name] for name in _LAYOUTS[kind][1])  # in the model's field order
    return restore, (kind, values, model.__pydantic_fields_set__, model.__pydantic_private__)


def install_layouts(layouts: dict[str, Layout]) -> Layouts:
    """Take the kinds' layouts a cache entry was written with (read back first, before its nodes);
    a kind whose model is imported keeps the model's."""
    for kind, layout in layouts.items():
        if kind not in _MODELS:
            _LAYOUTS[kind] = layout
    return Layouts(layouts)


class Layouts:
    """The kinds' layouts, first in a cache entry: read back, they are installed before any node."""

    def __init__(self, layouts: dict[str, Layout]) -> None:
        self.layouts = layouts

    def __reduce__(self) -> tuple[Any, ...]:
        return install_layouts, (self.layouts,)


def twin_layouts() -> dict[str, Layout]:
    """Every kind's layout, read from the model (imported by whoever validated the campaign)."""
    return dict(_LAYOUTS)


def register_models(models: Iterable[type], build: Callable[[], None]) -> None:
    """Called by :mod:`.model` once: each model class under its kind, the kinds' layouts, and
    what builds the validators before :func:`made_like` validates."""
    _BUILD[:] = [build]
    for model in models:
        kind = kind_of(model)
        _MODELS[kind] = model
        fields = model.model_fields  # type: ignore[attr-defined]
        _LAYOUTS[kind] = (
            kind, tuple(fields), tuple(info.alias for info in fields.values()),
            tuple(REQUIRED if info.is_required() else info.get_default(call_default_factory=True)
                  for info in fields.values()),
            {name: attr.get_default() for name, attr in model.__private_attributes__.items()},  # type: ignore[attr-defined]
        )


def is_twin(node: object) -> bool:
    """Whether ``node`` is the plain form of a campaign node (read back from the cache)."""
    return isinstance(node, Twin)


def replace(node: _N, **changes: Any) -> _N:
    """``node`` with ``changes`` to its fields, in its own form, not validated (a model's
    ``model_copy(update=...)``; a twin keeps its private values the same way)."""
    if isinstance(node, Twin):
        private = object.__getattribute__(node, "_private")
        values = {**node.__dict__, **changes}
        return _twin_of_layout(node._layout, tuple(values[name] for name in node._layout[1]),  # type: ignore[no-any-return]
                               None if private is None else dict(private))
    return node.model_copy(update=changes)  # type: ignore[attr-defined,no-any-return]


def fields_of(node: Any) -> Iterator[tuple[str, str | None]]:
    """``(field name, alias)`` of a node of either form, in the model's order."""
    if isinstance(node, Twin):
        return zip(node._layout[1], node._layout[2], strict=True)
    return ((name, info.alias) for name, info in type(node).model_fields.items())


def register_shapes(shapes: Iterable[type]) -> None:
    """Called by :mod:`.nodes` once: each kind's shape, named ``<kind>Shape``."""
    for shape in shapes:
        _SHAPES.add(shape)
        _KINDS[shape] = shape.__name__.removesuffix("Shape")
        _SHAPE_OF_KIND[_KINDS[shape]] = shape
