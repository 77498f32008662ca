"""Stage 1, the campaign: model (pydantic), safe YAML with positions and limits, loader and checks,
and the figure check against the plan's text (:mod:`.figures`).

Nothing here evaluates; everything downstream reads the :class:`~.model.Campaign` built here.
"""

from emulation_rules.campaign.loader import dump_campaign, load_campaign, validate_campaign
from emulation_rules.campaign.model import Campaign

__all__ = ["Campaign", "dump_campaign", "load_campaign", "validate_campaign"]
