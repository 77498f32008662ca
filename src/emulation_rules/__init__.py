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

from emulation_rules.campaign.loader import dump_campaign, load_campaign
from emulation_rules.campaign.model import Campaign
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


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata on first use (importlib.metadata costs
    tens of milliseconds at start-up, which every CLI call would pay)."""
    if name != "__version__":
        raise AttributeError(f"module 'emulation_rules' has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("emulation-rules")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "0+unknown"
    globals()["__version__"] = version
    return version

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
