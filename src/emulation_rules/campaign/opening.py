"""Open a campaign: from the user's cache when the file is unchanged, else parsed and checked.

Only the first step of loading (:mod:`.loader`) lives here, so that a campaign read back from the
cache imports neither pydantic nor the model nor the checks: most of a one-unit ``evaluate``.
"""

from __future__ import annotations

import os
from pathlib import Path

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.cache import CampaignCache
from emulation_rules.campaign.reading import STDIN, InputFileError, read_limited
from emulation_rules.campaign.safe_yaml import MAX_BYTES
from emulation_rules.campaign.shipped import is_campaign_id, shipped_campaign_path, shipped_campaigns
from emulation_rules.campaign.sources import remember_source
from emulation_rules.campaign.texts import DOCUMENTS_ENV, DocumentTexts
from emulation_rules.errors import CampaignError, Problem, SourceLocation, YAMLSyntaxError, did_you_mean

__all__ = ["load_campaign"]


def load_campaign(source: str | os.PathLike[str], *, file: str | None = None,
                  documents: str | os.PathLike[str] | None = None,
                  seeds: str | os.PathLike[str] | None = None, light: bool = False) -> m.Campaign:
    """Load a campaign from a path or from YAML text.

    Args:
        source: a path to a ``.yaml`` file, the id of a shipped campaign (``"tkv_2019"``, see
            :mod:`.shipped`; a file of that name in the current directory wins), or YAML text
            (recognised by containing a newline).
        file: name used in error locations for text input (default ``"<string>"``).
        documents: a directory where the documents' texts are looked up by file name when
            they are not where their ``text`` path says (relative to the campaign file); the
            texts are used to check cited lines and figures (:mod:`.figures`). Text input is
            checked only when this (or ``$EMULATION_RULES_DOCUMENTS``) is given.
        seeds: former name of ``documents``, still accepted.
        light: a campaign read from the cache may come as plain twins of the model's nodes, which
            the evaluators read alike and which need no pydantic (:mod:`.twins`): what
            ``evaluate`` asks for; anything that validates, dumps or builds nodes asks without.

    Returns:
        The validated, frozen :class:`~emulation_rules.model.Campaign`; from a file, kept in the
        user's cache and read back while the file, its texts and this release are unchanged
        (:mod:`.cache`).

    Raises:
        YAMLSyntaxError: unreadable or unsafe YAML.
        CampaignValidationError: model or semantic problems; ``.problems`` lists them all.
        CampaignError: the file cannot be read.

    Example:
        >>> c = load_campaign("campaigns/tkv_2019.yaml")
        >>> c.plan.number
        '115/KH-CĐTKV'
        >>> c.awards[0].criteria[0].source.cite()
        'Kế hoạch 115/KH-CĐTKV, mục V.2 Tiêu chuẩn — tập thể (dòng 96)'
    """
    source = shipped_campaign_path(source) or source
    text, name = _read(source, file)
    extra = documents if documents is not None else seeds
    base = None if isinstance(text, str) else Path(name).parent  # a file (read as bytes)
    texts = None
    if base is not None or extra is not None or os.environ.get(DOCUMENTS_ENV):
        texts = DocumentTexts(base, [extra] if extra is not None else [])
    kept = None
    if isinstance(text, bytes) and base is not None and texts is not None and name != "<stdin>":
        kept = CampaignCache.for_file(text, base, [extra] if extra is not None else [])
        campaign = kept.get(texts, light=light) if kept is not None else None
        if campaign is not None:
            return campaign
    from emulation_rules.campaign.loader import MAX_CAMPAIGN_NODES, validate_campaign  # pydantic: not for a kept one
    from emulation_rules.campaign.safe_yaml import parse_yaml

    data, smap = parse_yaml(text, file=name, max_nodes=MAX_CAMPAIGN_NODES)
    campaign = validate_campaign(data, smap, texts=texts)
    remember_source(campaign, smap)
    if kept is not None and texts is not None:
        kept.put(campaign, texts, smap)
    return campaign


def _read(source: str | os.PathLike[str], file: str | None) -> tuple[str | bytes, str]:
    if isinstance(source, str) and ("\n" in source or not source.strip()):
        return source, file or "<string>"
    path = Path(source)
    name = file or ("<stdin>" if os.fspath(source) == STDIN else str(path))
    try:
        return read_limited(source, MAX_BYTES), name
    except InputFileError as exc:
        if exc.code == "too-large":
            raise YAMLSyntaxError([Problem(
                "too-large", f"{exc.message}, the limit for a campaign",
                location=SourceLocation(name, 1, 1))]) from None
        raise CampaignError(f"{name}: cannot read campaign: {exc.message}{_not_shipped(source)}") from None


def _not_shipped(source: str | os.PathLike[str]) -> str:
    """For a campaign id that names no shipped campaign: the shipped ids and the closest one."""
    if not is_campaign_id(source):
        return ""
    ids = list(shipped_campaigns())
    close = did_you_mean(str(source), ids)
    return (f"; nor is it a shipped campaign ({', '.join(ids) or 'none found'})"
            f"{f' ({close})' if close else ''}")
