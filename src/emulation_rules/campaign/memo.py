"""One memo for what depends on a loaded campaign only (:func:`kept_for`), in the lowest stage
so that every stage above it (reading facts, evaluating, writing results) keeps its per-campaign
work in the same place."""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_KEPT", "kept_for", "kept_for_pair"]

MAX_KEPT = 4096
"""Most entries :func:`kept_for` (and :func:`kept_for_pair`) holds; all are forgotten when it is full
(rebuilt on demand)."""

_ONCE: dict[tuple[int, Any], tuple[Any, Any]] = {}


def kept_for(obj: Any, fn: Any) -> Any:
    """``fn(obj)`` remembered for the object ``obj`` (a campaign, one of its awards, facts,
    sources or defects): what depends on the loaded campaign only, never on a submitted fact, is
    computed once per process, not for every subject or request. ``fn`` must be a module-level
    function (it is part of the key); at most :data:`MAX_KEPT` entries, all forgotten when full."""
    key = (id(obj), fn)
    hit = _ONCE.get(key)
    if hit is not None and hit[0] is obj:
        return hit[1]
    value = fn(obj)
    if len(_ONCE) >= MAX_KEPT:
        _ONCE.clear()
    _ONCE[key] = (obj, value)  # holds obj: its id cannot be reused while the entry lives
    return value


_PAIRS: dict[tuple[int, int, Any], tuple[Any, Any, Any]] = {}


def kept_for_pair(first: Any, second: Any, fn: Any) -> Any:
    """``fn(first, second)`` remembered for the two objects (a campaign's defects and one of its
    citations), as :func:`kept_for` remembers for one: both are held by the entry, so that their
    ids stay theirs; at most :data:`MAX_KEPT` entries, all forgotten when full."""
    key = (id(first), id(second), fn)
    hit = _PAIRS.get(key)
    if hit is not None and hit[0] is first and hit[1] is second:
        return hit[2]
    value = fn(first, second)
    if len(_PAIRS) >= MAX_KEPT:
        _PAIRS.clear()
    _PAIRS[key] = (first, second, value)
    return value
