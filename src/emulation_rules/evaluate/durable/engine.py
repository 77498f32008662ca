"""The durable backend: evaluates subjects with durable-rules; the only module importing it.

Guards against every pitfall measured in shared/DURABLE_RULES.md (each has a test in
``tests/unit/test_durable_pitfalls.py``):

1. Missing fields read as "not handled", like failing: presence of every fact a criterion reads
   is checked *before* posting; a criterion with a missing fact is ``unknown`` and the verdict
   ``incomplete`` (never ``not_awarded`` for lack of data). A sentinel rule matches every posted
   subject, so durable's MessageNotHandledException can only mean an engine bug.
2. ``$nex`` hangs the action loop: the compiler never emits it (asserted on every rule set).
3. Loose comparisons (``'95' >= 90``, ``1 == true``): facts are validated and coerced to their
   declared types (:mod:`emulation_rules.facts.coerce`) before they reach durable; :meth:`Engine.evaluate` only takes
   coerced subjects.
4. A rule-set name registers once per host: names carry a content hash, each set of rule sets
   is registered once per process (durable's host also mutates the definitions it is given:
   ours are never handed to it).
5. Rule sets are never freed and durable's hosts start timer threads: no host is made; each
   set of rule sets (content-hashed names) is registered with the core once, lazily, and shared
   by every evaluator of the same rules in the process, so building the same campaign again
   costs nothing.
6. ``post_batch`` returns before actions ran: evaluation is synchronous, one session per subject.
7. Facts accumulate in a session: each subject's session is deleted after its results are read.

Everything goes through durable-rules' core (``durable_rules_engine``, the module its host
drives). Each rule set is registered as the host registers it: ``create_ruleset`` of its JSON,
``json.dumps(..., ensure_ascii=False)`` of the definition without the ``run`` action the host
takes out first (the host, its ``durable`` package and the ``logging`` it sets up are not
imported: 5-6 ms of a one-unit ``evaluate``'s start). A subject is then evaluated: ``assert_fact``
of the message, then each rule that fired is read from
the action the core starts for the session (``start_action_for_state``, then
``complete_and_start_action`` until none is left), and the session deleted. The host's own
dispatch would decode the session state and the action from JSON, build its action objects and
encode the state back for every rule fired (about two thirds of its time on TKV 2019, measured
in ``benchmarks/bench_engine.py``); our actions change no state, so none of that is needed.

durable-rules 2.0.28 does not import on CPython 3.13; then :class:`EngineUnavailableError`
is raised with a clear message when an evaluation is attempted.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.dependencies import dependency_order
from emulation_rules.errors import EngineUnavailableError, EvaluationError
from emulation_rules.evaluate.base import BackendName, BaseEvaluator, collections_deferred_for
from emulation_rules.evaluate.durable.compiler import CompiledAward, CompiledCampaign, compile_campaign
from emulation_rules.evaluate.durable.reading import AwardReading
from emulation_rules.evaluate.result import (
    AwardResult,
    CriterionResult,
    ScoredItem,
    SubjectResult,
    score_sheet_result,
    subject_result,
)
from emulation_rules.evaluate.semantics import synthetic_facts
from emulation_rules.evaluate.units import lower
from emulation_rules.facts.history import ReviewYears
from emulation_rules.facts.reader import Subject, check_subject


def import_durable() -> Any:
    """durable-rules' core (``durable_rules_engine``); raises EngineUnavailableError with the
    reason where it cannot load (the reason its ``durable.engine`` gives, as it imports the core)."""
    try:
        import durable_rules_engine
    except ImportError:
        try:
            from durable import engine  # noqa: F401 - for the reason it gives
        except ImportError as exc:  # e.g. "undefined symbol: PyEval_CallObject" on 3.13
            raise EngineUnavailableError(
                "durable-rules could not be loaded on this Python "
                f"({exc}); the durable backend needs CPython 3.11-3.12; use backend='python' (or 'auto'), "
                "which gives the same verdicts."
            ) from None
        raise  # pragma: no cover - the core failed, its package did not
    return durable_rules_engine


class DurableEvaluator(BaseEvaluator):
    """The ``durable`` backend: evaluates subjects with the campaign compiled to durable-rules.

    Build one per campaign (and parameter set) and reuse it: its rule sets live as long as the
    process (durable-rules never frees them). Usually reached through
    :class:`~emulation_rules.Engine` (``backend="durable"``), which adds quotas.

    Args:
        campaign: a loaded campaign.
        params: overrides of the campaign's parameters (``{"many_individuals_min": 3}``).

    Raises:
        CompileError: a bad parameter override.
    """

    backend: BackendName = "durable"

    def __init__(self, campaign: m.Campaign, *, params: Mapping[str, float] | None = None) -> None:
        self.campaign = campaign = lower(campaign)  # {unit: ...} read through unit__ facts
        self.compiled: CompiledCampaign = compile_campaign(campaign, params=params)
        self.params = self.compiled.params
        self._core: Any = None
        self._handles: dict[str, Any] = {}
        # Same rule sets (content-hashed names), same handles: durable-rules never frees a rule
        # set (~195 KiB per campaign), so a process that builds the same campaign again (a
        # service that reloads) registers it once. The lock and the core's handles are shared
        # with it; session ids stay unique per evaluator (prefix).
        key = tuple(name for award in self.compiled.awards for name, _ in award.rulesets)
        with _SHARED_LOCK:
            self._shared = _SHARED.setdefault(key, _SharedRules())
        self._lock = self._shared.lock
        decls = {f.id: f for f in campaign.facts}
        records = frozenset(f for f, d in decls.items() if d.type == "records")
        declared = frozenset(decls)
        # per award, once: who may receive it, what its message reads (sorted: a stable field
        # order), and per criterion what it shows and which rules decide it (reading.py)
        self._readings = {
            a.award.id: AwardReading(
                a, declared, records,
                tuple(sorted({f for p in a.criteria for f in p.reads} | {f for p in a.items for f in p.reads})),
                decls)
            for a in self.compiled.awards
        }
        order = [a.id for a in dependency_order(campaign)]
        by_id = {a.award.id: a for a in self.compiled.awards}
        # per subject kind: its awards in dependency order, and their ids in the campaign's order
        self._by_kind = {
            kind: (tuple(by_id[i] for i in order if by_id[i].award.subject == kind),
                   tuple(a.award.id for a in self.compiled.awards if a.award.subject == kind))
            for kind in {a.award.subject for a in self.compiled.awards}
        }
        self._synthetic = any(not (set(p.reads) <= declared) for a in self.compiled.awards
                              for p in a.criteria)
        # session ids: unique among the evaluators of this process (sessions live in the rule sets, shared)
        # and short, since durable encodes and decodes them with every rule fired
        self._sids = itertools.count()
        self._prefix = f"{next(_EVALUATORS):x}-"

    # durable rule sets --------------------------------------------------------------------------
    def _ensure_rules(self) -> Any:
        """durable-rules' core, with this evaluator's rule sets registered (once per process)."""
        if self._core is not None:
            return self._core
        with self._lock:
            shared = self._shared
            if shared.core is None:
                core = import_durable()
                shared.handles = self._register(core)
                shared.core = core
            self._core, self._handles = shared.core, shared.handles
        return self._core

    def _register(self, core: Any) -> dict[str, Any]:
        """The core's handle of each rule set, registered as durable's host registers it:
        ``create_ruleset`` of its JSON (the host's ``json.dumps``, of the rules without their
        ``run`` action, which it takes out first)."""
        handles: dict[str, Any] = {}
        try:
            for award in self.compiled.awards:
                for ruleset_name, ruleset in award.rulesets:
                    handles[ruleset_name] = core.create_ruleset(ruleset_name, _ENCODE(dict(ruleset)))
        except Exception as exc:
            raise EvaluationError(f"durable-rules refused the rule sets: {exc!r}") from exc
        return handles

    def _run_rules(self, award: CompiledAward, message: dict[str, Any]) -> frozenset[str]:
        """The names of the rules of ``award`` that fire for ``message`` (one session, deleted)."""
        core = self._ensure_rules()
        sid = message["sid"]
        text = _ENCODE_MESSAGE(message)  # as durable's host encodes a fact
        fired: set[str] = set()
        for ruleset_name, _ in award.rulesets:  # one, unless rules were cut to fit (limits.py)
            handle = self._handles[ruleset_name]
            try:
                code, state = core.assert_fact(handle, text)
                if code in (1, 2):  # the host's MessageNotHandledException, MessageObservedException
                    raise EvaluationError(f"engine bug: durable did not handle subject message {sid}")
                action = core.start_action_for_state(handle, state if code != 3 else 0)
                started = action[1] if action else None
                while started:
                    fired.add(_rule_of(started))
                    started = core.complete_and_start_action(handle, state)
            except EvaluationError:
                raise
            except Exception as exc:
                raise EvaluationError(f"durable-rules failed on {ruleset_name}: {exc!r}") from exc
            finally:
                try:
                    core.delete_state(handle, sid)
                except Exception as exc:  # pragma: no cover - durable internal failure
                    raise EvaluationError(f"durable-rules could not delete session {sid}: {exc!r}") from exc
        if "seen" not in fired:
            raise EvaluationError(f"engine bug: sentinel rule did not fire for {sid}")
        return frozenset(fired)

    # evaluation ----------------------------------------------------------------------------------
    def evaluate_subjects(self, subjects: tuple[Subject, ...],
                          review: ReviewYears | None = None) -> tuple[SubjectResult, ...]:
        """Results for validated subjects, in order (one durable session each, under a lock).

        Raises:
            EvaluationError: durable-rules failed (every durable error is wrapped).
            EngineUnavailableError: durable-rules cannot be imported here.
        """
        with self._lock, collections_deferred_for(len(subjects)):
            return tuple(self._evaluate_subject(s, review) for s in subjects)

    def evaluate_subject(self, subject: Subject, review: ReviewYears | None = None) -> SubjectResult:
        """Evaluate one subject against the awards for its kind (see :meth:`evaluate`), each
        after the awards it requires (their verdicts are posted with it); under the lock, as
        :meth:`evaluate_subjects` (the rule sets and their sessions are shared)."""
        with self._lock:
            return self._evaluate_subject(subject, review)

    def _evaluate_subject(self, subject: Subject, review: ReviewYears | None) -> SubjectResult:
        if type(subject) is not Subject or subject.validated_for != self.campaign.id:
            check_subject(self.campaign, subject)
        ordered, shown = self._by_kind.get(subject.kind, ((), ()))
        if len(ordered) == 1 and not self._synthetic:  # one award for the kind: nothing to pass on
            return subject_result(subject, (self._award(ordered[0], subject.facts, subject, {}),))
        done: dict[str, AwardResult] = {}
        for compiled in ordered:
            facts = subject.facts
            if self._synthetic:
                verdicts = {k: r.verdict for k, r in done.items()}
                facts = {**facts, **synthetic_facts(subject.history, review, verdicts)}
            done[compiled.award.id] = self._award(compiled, facts, subject, done)
        return subject_result(subject, tuple(done[i] for i in shown))

    def _award(self, compiled: CompiledAward, facts: Mapping[str, Any], subject: Subject,
               done: Mapping[str, AwardResult]) -> AwardResult:
        reading = self._readings[compiled.award.id]
        mine = subject.level if reading.collective else subject.role
        if mine not in reading.allowed:
            return reading.not_eligible(mine)
        if reading.delegated is not None:
            return reading.delegated
        message = compiled.encode(f"{self._prefix}{next(self._sids)}", facts, reading.reads)
        fired = self._run_rules(compiled, message)
        sheet = None
        if compiled.award.score_sheet is not None:
            sheet = lambda f, r: self._score(compiled, f, r)  # noqa: E731
        return reading.result(facts, message, fired, done, sheet)

    def _score(self, compiled: CompiledAward, facts: Mapping[str, Any], fired: frozenset[str]
               ) -> tuple[float | None, str | None, CriterionResult]:
        sheet = compiled.award.score_sheet
        assert sheet is not None
        scored: list[ScoredItem] = []
        for plan in compiled.items:
            lacking = tuple(f for f in plan.reads if f not in facts)
            held = None if lacking or plan.rule is None else compiled.fired(plan.rule, fired)
            scored.append((plan.item, lacking, held))
        return score_sheet_result(sheet, facts, scored)


class _SharedRules:
    """The registered rule sets, shared by evaluators of the same rule sets."""

    def __init__(self) -> None:
        self.core: Any = None  # durable_rules_engine, once the rule sets are registered
        self.handles: dict[str, Any] = {}  # rule set name -> the core's handle
        self.lock = threading.RLock()


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
"""A rule set or a message as durable's host encodes it (``json.dumps(..., ensure_ascii=False)``)."""


def _message_encoder() -> Any:
    """:data:`_ENCODE` for the messages (the same text): the C encoder that ``JSONEncoder.encode``
    makes for every call, made once (a message is a flat mapping: no circular check needed)."""
    plain = json.JSONEncoder(ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has _json
        return plain.encode
    chunks = make(None, plain.default, json.encoder.encode_basestring, None, plain.key_separator,
                  plain.item_separator, False, False, True)
    return lambda message: "".join(chunks(message, 0))


_ENCODE_MESSAGE = _message_encoder()


def _rule_of(action: str) -> str:
    """The rule named by an action the core started: its JSON is ``{"<rule>": {...}}``, read
    by its first key's text; decoded whole if written otherwise (a space, an escaped name)."""
    if action.startswith('{"'):
        name = action[2:action.index('"', 2)]
        if "\\" not in name:  # never escaped: our rule names are [a-z0-9_] ids
            return name
    return str(next(iter(json.loads(action))))


_SHARED: dict[tuple[str, ...], _SharedRules] = {}
_EVALUATORS = itertools.count()
_SHARED_LOCK = threading.Lock()
