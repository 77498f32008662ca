"""emulation_rules: Vietnamese trade-union emulation campaigns as executable, explainable rules.

The one obvious path (run from the repository root, where the shipped campaigns are)::

    >>> from emulation_rules import Engine, load_facts
    >>> engine = Engine.from_path("campaigns/tkv_2019.yaml")
    >>> evaluation = engine.evaluate(load_facts("examples/tkv_2019/facts.yaml", engine.campaign))
    >>> evaluation.subject("CD-HALAM").award("collective_recognition").verdict
    'awarded'

Campaign files are validated by :func:`load_campaign`; facts by :func:`load_facts`; every
error derives from :class:`EmulationRulesError`.
"""

import typing

from emulation_rules.lazy import lazy_names as _lazy_names

if typing.TYPE_CHECKING:
    from emulation_rules.campaign.loader import dump_campaign
    from emulation_rules.campaign.model import Campaign
    from emulation_rules.campaign.opening import load_campaign
    from emulation_rules.engine import Engine
    from emulation_rules.errors import (
        CampaignError,
        CampaignValidationError,
        CompileError,
        EmulationRulesError,
        EmulationRulesWarning,
        EngineUnavailableError,
        EvaluationError,
        FactsError,
        Problem,
        ReviewDateError,
        SourceLocation,
        YAMLSyntaxError,
    )
    from emulation_rules.evaluate.durable.compiler import CompiledCampaign, compile_campaign
    from emulation_rules.evaluate.result import AwardResult, CriterionResult, Evaluation, SubjectResult
    from emulation_rules.facts.load import load_facts
    from emulation_rules.facts.reader import Subject, Submission, parse_facts

_LAZY = {
    "AwardResult": "emulation_rules.evaluate.result",
    "Campaign": "emulation_rules.campaign.model",
    "CampaignError": "emulation_rules.errors",
    "CampaignValidationError": "emulation_rules.errors",
    "CompileError": "emulation_rules.errors",
    "CompiledCampaign": "emulation_rules.evaluate.durable.compiler",
    "CriterionResult": "emulation_rules.evaluate.result",
    "EmulationRulesError": "emulation_rules.errors",
    "EmulationRulesWarning": "emulation_rules.errors",
    "Engine": "emulation_rules.engine",
    "EngineUnavailableError": "emulation_rules.errors",
    "Evaluation": "emulation_rules.evaluate.result",
    "EvaluationError": "emulation_rules.errors",
    "FactsError": "emulation_rules.errors",
    "Problem": "emulation_rules.errors",
    "ReviewDateError": "emulation_rules.errors",
    "SourceLocation": "emulation_rules.errors",
    "Subject": "emulation_rules.facts.reader",
    "SubjectResult": "emulation_rules.evaluate.result",
    "Submission": "emulation_rules.facts.reader",
    "YAMLSyntaxError": "emulation_rules.errors",
    "compile_campaign": "emulation_rules.evaluate.durable.compiler",
    "dump_campaign": "emulation_rules.campaign.loader",
    "load_campaign": "emulation_rules.campaign.opening",
    "load_facts": "emulation_rules.facts.load",
    "parse_facts": "emulation_rules.facts.reader",
}


__all__ = [
    "AwardResult",
    "Campaign",
    "CampaignError",
    "CampaignValidationError",
    "CompileError",
    "CompiledCampaign",
    "CriterionResult",
    "EmulationRulesError",
    "EmulationRulesWarning",
    "Engine",
    "EngineUnavailableError",
    "Evaluation",
    "EvaluationError",
    "FactsError",
    "Problem",
    "ReviewDateError",
    "SourceLocation",
    "Subject",
    "SubjectResult",
    "Submission",
    "YAMLSyntaxError",
    "__version__",
    "compile_campaign",
    "dump_campaign",
    "load_campaign",
    "load_facts",
    "parse_facts",
]


__getattr__, __dir__ = _lazy_names(__name__, _LAZY, {"__version__": lambda: _version()})


def _version() -> str:
    """``__version__``, read from the installed metadata on first use (importlib.metadata costs
    tens of milliseconds at start-up, which every CLI call would pay)."""
    from importlib import metadata

    try:
        version = metadata.version("emulation-rules")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "0+unknown"
    globals()["__version__"] = version
    return version
