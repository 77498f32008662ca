"""Awards that build on awards: which awards a condition requires, and the order to judge them.

A criterion may require another award of the same subject kind (``{award: lao_dong_tien_tien}``:
'CSTĐCS requires the LĐTT title') or count this
evaluation's verdict of a title towards a run of years (``{held: x, consecutive_years: N}``,
where year Y counts when this evaluation awards ``x``). Every backend judges a subject's awards
in :func:`dependency_order` and shows them in file order. A cycle is refused by the loader
(``award-cycle``, :mod:`.checks`).

Example:
    >>> from emulation_rules.campaign import model as m
    >>> cond = m.AllOf.model_validate({"all": [{"award": "a"}, {"held": "b", "consecutive_years": 2}]})
    >>> award_refs(cond, {"a", "b"})
    [('a', ('all', 0)), ('b', ('all', 1, 'held'))]
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from typing import Any

from emulation_rules.campaign import shapes as m

__all__ = ["award_refs", "dependency_order", "find_cycle", "leaves_with_paths", "requires"]

Path = tuple[Any, ...]


def award_refs(cond: Any, awards: Container[str], path: Path = ()) -> list[tuple[str, Path]]:
    """Awards a condition reads from this evaluation, with their paths inside it.

    Args:
        cond: a condition (``None`` gives nothing).
        awards: ids of the awards a ``held ... consecutive_years`` title may name (titles that
            are no award of the campaign are read from the history only).
        path: path of ``cond`` (prefix of the returned paths).

    Returns:
        ``[(award id, path of the reference)]`` in reading order, repeats kept.
    """
    out: list[tuple[str, Path]] = []
    for node, where in leaves_with_paths(cond, path):
        if isinstance(node, m.AwardRef):
            out.append((node.award, where))
        elif isinstance(node, m.Held) and node.consecutive_years is not None and node.held in awards:
            out.append((node.held, (*where, "held")))
    return out


def leaves_with_paths(cond: Any, path: Path = ()) -> Iterator[tuple[Any, Path]]:
    """The leaves of a condition (under ``all``/``any``/``not``) with their data paths, e.g.
    ``(..., "all", 1, "not")``, in reading order; ``None`` gives nothing."""
    if isinstance(cond, m.AllOf):
        for i, sub in enumerate(cond.all):
            yield from leaves_with_paths(sub, (*path, "all", i))
    elif isinstance(cond, m.AnyOf):
        for i, sub in enumerate(cond.any):
            yield from leaves_with_paths(sub, (*path, "any", i))
    elif isinstance(cond, m.NotOf):
        yield from leaves_with_paths(cond.not_, (*path, "not"))
    elif cond is not None:
        yield cond, path


def requires(award: m.Award, awards: Container[str]) -> list[str]:
    """Ids of the awards ``award``'s criteria read from this evaluation, first use first."""
    refs = [a for crit in award.criteria for a, _ in award_refs(crit.condition, awards)]
    return list(dict.fromkeys(refs))


def find_cycle(campaign: m.Campaign) -> list[str] | None:
    """A cycle of award references (``[a, b, a]``), or ``None`` when there is none.

    Unknown award ids are ignored here (the loader reports them as ``unknown-award``).
    """
    ids = {a.id for a in campaign.awards}
    edges = {a.id: [r for r in requires(a, ids) if r in ids] for a in campaign.awards}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for a in campaign.awards:
        if a.id not in state and (found := visit(a.id)) is not None:
            return found
    return None


def dependency_order(campaign: m.Campaign) -> tuple[m.Award, ...]:
    """The campaign's awards, each after the awards it requires; otherwise in file order.

    The loader refuses cycles; should one reach here (a model built by hand), the awards left
    in it follow in file order and their references read as unknown.
    """
    ids = {a.id for a in campaign.awards}
    pending = list(campaign.awards)
    done: list[m.Award] = []
    placed: set[str] = set()
    while pending:
        ready = next((a for a in pending
                      if all(r in placed or r not in ids or r == a.id for r in requires(a, ids))), None)
        if ready is None:  # a cycle: keep file order for what is left
            done.extend(pending)
            break
        pending.remove(ready)
        done.append(ready)
        placed.add(ready.id)
    return tuple(done)
