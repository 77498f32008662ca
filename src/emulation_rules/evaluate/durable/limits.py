"""What durable-rules 2.0.28 can hold, and how compiled conditions are cut to fit.

Two fixed-size arrays of durable's C core break on large conditions (measured, see
``tests/regressions/test_issue_12.py``):

* ``MAX_STACK_SIZE 64`` (``events.c``): when a fact is posted, durable walks its alpha network
  depth-first with a 64-slot stack. Every disjunct of an ``$or`` (nested ``$or`` included) is a
  child of the same parent node, and every rule of a rule set hangs from the same root, so a
  rule set whose root fans out to 65 matching nodes (``seen`` + an ``any`` of 64 children) fails
  with error 303 and then corrupts memory (SIGSEGV, "free(): invalid pointer"). 63 children
  plus the sentinel fit exactly.
* ``MAX_SEQUENCE_EXPRESSIONS 32`` (``rete.h``): each ``$and``/``$or`` group takes two slots of
  its rule's expression sequence; a rule with 16 groups fails with error 113.

Nesting groups does not help (durable flattens disjuncts under one parent and each group costs
sequence slots). Instead a rule that does not fit is cut into rules whose disjunction is the
same condition (:func:`split`), and the rules of an award are spread over as many rule sets as
needed (:func:`pack`); the engine posts each subject to each of them. The stack bound is
computed on a model of durable's network assuming every node matches (the worst case), so it is
never below what durable needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from emulation_rules.errors import CompileError

Expr = dict[str, Any]

MAX_STACK = 64
"""durable's alpha stack (events.c MAX_STACK_SIZE): at most this many pending nodes."""
MAX_GROUPS = 15
"""Most ``$and``/``$or`` groups in one rule (rete.h MAX_SEQUENCE_EXPRESSIONS 32, 2 slots each)."""
MAX_RULES = 1024
"""Most rules one condition may be cut into before the compiler gives up (CompileError)."""

SENTINEL: Expr = {"seen__": 1}


def groups(expr: Expr) -> int:
    """Number of ``$and``/``$or`` groups in ``expr`` (iterative: any depth)."""
    count = 0
    stack = [expr]
    while stack:
        node = stack.pop()
        ((key, value),) = node.items()
        if key in ("$and", "$or"):
            count += 1
            stack.extend(value)
    return count


class _Node:
    __slots__ = ("children", "leaves")

    def __init__(self) -> None:
        self.children: list[_Node] = []
        self.leaves: dict[str, _Node] = {}


def stack_peak(exprs: Iterable[Expr]) -> int:
    """Worst-case size of durable's alpha stack for a rule set with these rule conditions.

    Mirrors ``createAlpha`` (rete.c): a leaf is a node under its parent (identical leaves under
    one parent are shared), ``$and`` chains its parts, ``$or`` hangs every part from the parent
    and links each part's end to a fresh forward node. With every node matching, processing a
    node with ``n`` children needs ``n - 1 + max(peak(child))`` slots.
    """
    root = _Node()
    for expr in exprs:
        _build(expr, root)
    peaks: dict[int, int] = {}
    stack: list[tuple[_Node, bool]] = [(root, False)]
    while stack:  # iterative post-order over the network (a DAG)
        node, ready = stack.pop()
        if id(node) in peaks:
            continue
        if not ready:
            stack.append((node, True))
            stack.extend((c, False) for c in node.children if id(c) not in peaks)
            continue
        if node.children:
            peaks[id(node)] = len(node.children) - 1 + max(peaks[id(c)] for c in node.children)
        else:
            peaks[id(node)] = 1
    return peaks[id(root)]


def _build(expr: Expr, parent: _Node) -> _Node:
    # a chain of parts is a loop; only nested groups recurse (conditions are <= 32 deep)
    ((key, value),) = expr.items()
    if key == "$and":
        end = parent
        for part in value:
            end = _build(part, end)
        return end
    if key == "$or":
        forward = _Node()
        for part in value:
            _build(part, parent).children.append(forward)
        return forward
    ident = json.dumps(expr, sort_keys=True)
    node = parent.leaves.get(ident)
    if node is None:
        node = parent.leaves[ident] = _Node()
        parent.children.append(node)
    return node


class DurableLimitError(CompileError):
    """A condition durable-rules cannot hold even cut into rules (a structural limit, not a bad
    campaign): the ``auto`` backend then evaluates with the python backend instead."""


def fits(exprs: Iterable[Expr]) -> bool:
    """True when one rule set holding the sentinel and these rule conditions stays in bounds."""
    exprs = list(exprs)
    return (
        all(groups(e) <= MAX_GROUPS for e in exprs) and stack_peak([SENTINEL, *exprs]) <= MAX_STACK
    )


def split(expr: Expr) -> list[Expr]:
    """Conditions whose disjunction is ``expr``, each fitting a rule set of its own.

    Raises:
        CompileError: ``expr`` cannot be cut into at most ``MAX_RULES`` fitting conditions.
    """
    out: list[Expr] = []
    todo = [expr]
    while todo:
        current = todo.pop()
        if fits([current]):
            out.append(current)
        else:
            halves = _halves(current)
            if halves is None:
                raise DurableLimitError(
                    "a condition is too large for durable-rules; use backend 'python'"
                )
            todo.extend(reversed(halves))
        if len(out) + len(todo) > MAX_RULES:
            raise DurableLimitError(
                f"a condition needs more than {MAX_RULES} durable rules; use backend 'python'"
            )
    return out


def _disjuncts(expr: Expr) -> list[Expr]:
    ((key, value),) = expr.items()
    if key != "$or":
        return [expr]
    return [d for part in value for d in _disjuncts(part)]


def _group(key: str, parts: list[Expr]) -> Expr:
    return parts[0] if len(parts) == 1 else {key: parts}


def _size(expr: Expr) -> int:
    return len(json.dumps(expr))


def _halves(expr: Expr) -> list[Expr] | None:
    """Two conditions whose disjunction is ``expr``, or None when it has no ``$or`` to cut."""
    ((key, value),) = expr.items()
    if key == "$or":
        parts = _disjuncts(expr)
        if len(parts) < 2:
            return _halves(parts[0]) if parts[0] is not expr else None
        mid = len(parts) // 2
        return [_group("$or", parts[:mid]), _group("$or", parts[mid:])]
    if key == "$and":
        # distribute: a and (b or c) == (a and b) or (a and c); cut the largest cuttable part
        order = sorted(range(len(value)), key=lambda i: -_size(value[i]))
        for i in order:
            cut = _halves(value[i])
            if cut is not None:
                return [{"$and": [*value[:i], half, *value[i + 1 :]]} for half in cut]
        return None
    return None


def pack(rules: Mapping[str, Expr]) -> list[dict[str, Expr]]:
    """Spread rule conditions (each fitting alone) over rule sets that each fit, in order."""
    sets: list[dict[str, Expr]] = []
    current: dict[str, Expr] = {}
    for name, expr in rules.items():
        if current and not fits([*current.values(), expr]):
            sets.append(current)
            current = {}
        current[name] = expr
    sets.append(current)
    return sets


def fit(name: str, rules: dict[str, Expr]
        ) -> tuple[tuple[tuple[str, Mapping[str, Expr]], ...], dict[str, tuple[str, ...]]]:
    """Rule sets durable-rules can hold: ``((name, rules),)`` when it fits, else its rules cut
    (:func:`split`) and packed (:func:`pack`), with the names of the parts of each rule cut."""
    conditions = {r: rule["all"][0]["m"] for r, rule in rules.items() if r != "seen"}
    if fits(conditions.values()):
        return ((name, rules),), {}
    parts: dict[str, Expr] = {}
    alternatives: dict[str, tuple[str, ...]] = {}
    for rule, expr in conditions.items():
        pieces = split(expr)
        names = (rule, *(f"{rule}__{i}" for i in range(1, len(pieces))))
        if len(pieces) > 1:
            alternatives[rule] = names
        parts.update(zip(names, pieces, strict=True))
    sets = []
    for i, group in enumerate(pack(parts)):
        body = {"seen": rules["seen"], **{r: {"all": [{"m": e}]} for r, e in group.items()}}
        sets.append((name if i == 0 else f"{name}_{i}", body))
    return tuple(sets), alternatives
