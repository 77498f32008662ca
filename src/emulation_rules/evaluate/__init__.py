"""Stage 3, evaluation: the shared semantics, the result types, and three backends behind one
interface (:mod:`.base`): ``durable`` (durable-rules), ``python`` (the oracle), ``polars`` (bulk).

Backends are imported lazily by :class:`emulation_rules.Engine`, so that durable-rules, polars and
pyarrow load only where they are used.
"""

import typing

from emulation_rules.lazy import lazy_names as _lazy_names

if typing.TYPE_CHECKING:
    from emulation_rules.evaluate.base import BACKENDS
    from emulation_rules.evaluate.interface import BackendName, Evaluator
    from emulation_rules.evaluate.result import AwardResult, CriterionResult, Evaluation, SubjectResult

_LAZY = {
    "AwardResult": "emulation_rules.evaluate.result",
    "BACKENDS": "emulation_rules.evaluate.base",
    "BackendName": "emulation_rules.evaluate.interface",
    "CriterionResult": "emulation_rules.evaluate.result",
    "Evaluation": "emulation_rules.evaluate.result",
    "Evaluator": "emulation_rules.evaluate.interface",
    "SubjectResult": "emulation_rules.evaluate.result",
}

__all__ = [
    "BACKENDS",
    "AwardResult",
    "BackendName",
    "CriterionResult",
    "Evaluation",
    "Evaluator",
    "SubjectResult",
]


__getattr__, __dir__ = _lazy_names(__name__, _LAZY)
