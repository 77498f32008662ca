"""Stage 3, evaluation: the shared semantics, the result types, and three backends behind one
interface (:mod:`.base`): ``durable`` (durable-rules), ``python`` (the oracle), ``polars`` (bulk).

Backends are imported lazily by :class:`emulation_rules.Engine`, so that durable-rules, polars and
pyarrow load only where they are used.
"""

from emulation_rules.evaluate.base import BACKENDS
from emulation_rules.evaluate.interface import BackendName, Evaluator
from emulation_rules.evaluate.result import AwardResult, CriterionResult, Evaluation, SubjectResult

__all__ = [
    "BACKENDS",
    "AwardResult",
    "BackendName",
    "CriterionResult",
    "Evaluation",
    "Evaluator",
    "SubjectResult",
]
