"""Stage 1, the campaign: model (pydantic), safe YAML with positions and limits, loader and checks,
and the figure check against the plan's text (:mod:`.figures`).

Nothing here evaluates; everything downstream reads the :class:`~.model.Campaign` built here,
through the kinds of :mod:`.shapes`, alike whether it was validated now or read back from the cache
as plain twins of its nodes (:mod:`.twins`, :mod:`.opening`).
"""

import typing

from emulation_rules.lazy import lazy_names as _lazy_names

if typing.TYPE_CHECKING:
    from emulation_rules.campaign.loader import dump_campaign, validate_campaign
    from emulation_rules.campaign.model import Campaign
    from emulation_rules.campaign.opening import load_campaign

_LAZY = {
    "Campaign": "emulation_rules.campaign.model",
    "dump_campaign": "emulation_rules.campaign.loader",
    "load_campaign": "emulation_rules.campaign.opening",
    "validate_campaign": "emulation_rules.campaign.loader",
}

__all__ = ["Campaign", "dump_campaign", "load_campaign", "validate_campaign"]


__getattr__, __dir__ = _lazy_names(__name__, _LAZY)
