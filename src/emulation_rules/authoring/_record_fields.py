"""Which fields of a records fact the conditions over it read (for the strategies: a field read
is never left blank, since a blank inside a record makes a count or aggregate unknown)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.evaluate.semantics import fields_read, leaves

__all__ = ["record_fields_read"]


def record_fields_read(conditions: Iterable[Any], decl: m.FactDecl) -> set[str]:
    """The fields of ``decl``'s records that a ``count`` or ``aggregate`` among ``conditions`` reads."""
    out: set[str] = set()
    dates = [f.id for f in decl.fields if f.type == "date"]
    for c in conditions:
        for leaf in leaves(c):
            spec = (leaf.count if isinstance(leaf, m.Count)
                    else leaf.aggregate if isinstance(leaf, m.Aggregate) else None)
            if spec is None or (spec.fact if isinstance(spec, m.CountSpec) else spec.of) != decl.id:
                continue
            out.update(fields_read(spec.where) if spec.where is not None else ())
            other = spec.distinct if isinstance(spec, m.CountSpec) else spec.field
            out.update([other] if other else ())
            if spec.within is not None:
                out.update([spec.within.by] if spec.within.by else dates)
    return out
