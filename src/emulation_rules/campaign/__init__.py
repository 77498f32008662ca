"""Stage 1, the campaign: model (pydantic), safe YAML with positions and limits, loader and checks,
and the figure check against the plan's text (:mod:`.figures`).

Nothing here evaluates; everything downstream reads the :class:`~.model.Campaign` built here.
"""

import importlib
import typing

if typing.TYPE_CHECKING:
    from emulation_rules.campaign.loader import dump_campaign, load_campaign, validate_campaign
    from emulation_rules.campaign.model import Campaign

_LAZY = {
    "Campaign": "emulation_rules.campaign.model",
    "dump_campaign": "emulation_rules.campaign.loader",
    "load_campaign": "emulation_rules.campaign.loader",
    "validate_campaign": "emulation_rules.campaign.loader",
}

__all__ = ["Campaign", "dump_campaign", "load_campaign", "validate_campaign"]


def __getattr__(name: str) -> typing.Any:
    """Import a public name on first use (a command loads only what it runs)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
