"""The campaigns a service serves: loaded from one directory, reloaded atomically.

Only ``*.yaml``/``*.yml`` files directly inside the directory are campaigns (author test cases
live in sub-directories). A request never names a file: it names a campaign id, looked up here.

Engines are cached by campaign content hash (SHA-256 of the file bytes) and backend, for the life
of the process: durable-rules never frees a rule set, so reloading an unchanged file 100 times
must not build 100 engines (``benchmarks/bench_service.py`` measures the memory). An engine with
parameter overrides runs on the python backend, whose objects are freed, and at most
:data:`MAX_PARAM_ENGINES` of them are kept (least recently used first out).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from emulation_rules.campaign import model as m
from emulation_rules.campaign.figures import DocumentTexts
from emulation_rules.campaign.loader import validate_campaign
from emulation_rules.campaign.safe_yaml import parse_yaml
from emulation_rules.engine import BackendChoice, Engine
from emulation_rules.errors import CampaignError, Problem, SourceLocation, YAMLSyntaxError

__all__ = ["MAX_PARAM_ENGINES", "CampaignRegistry", "ReloadReport", "Served", "campaign_from_text"]

MAX_PARAM_ENGINES = 64
"""Engines with parameter overrides kept per process (python backend, least recently used out)."""

_ENGINES: dict[tuple[str, str], Engine] = {}
_PARAM_ENGINES: OrderedDict[tuple[str, tuple[tuple[str, float], ...]], Engine] = OrderedDict()
_ENGINES_LOCK = threading.Lock()


def campaign_from_text(text: str | bytes, *, file: str, texts: DocumentTexts | None = None) -> m.Campaign:
    """Validate campaign YAML text (``file`` only names locations). No file is read unless
    ``texts`` says where the documents' texts are (the served directory: then the cited lines
    are checked as ``validate`` checks them); without it they are printed as not checked.

    Raises:
        YAMLSyntaxError, CampaignValidationError: with located problems.
    """
    data, smap = parse_yaml(text, file=file)
    return validate_campaign(data, smap, texts=texts)


@dataclass(frozen=True)
class Served:
    """One campaign being served.

    Attributes:
        campaign: the validated campaign.
        content_hash: SHA-256 (hex) of the campaign file's bytes.
        file: the file name inside the served directory (never a full path).
    """

    campaign: m.Campaign
    content_hash: str
    file: str
    backend: BackendChoice = "auto"

    @property
    def engine(self) -> Engine:
        """The engine for the default parameters (shared by every load of the same content)."""
        key = (self.content_hash, self.backend)
        engine = _ENGINES.get(key)
        if engine is None:
            with _ENGINES_LOCK:
                engine = _ENGINES.get(key)
                if engine is None:
                    engine = _ENGINES[key] = Engine(self.campaign, backend=self.backend)
        return engine

    def engine_for(self, params: Mapping[str, float]) -> Engine:
        """The engine for parameter overrides (python backend, bounded cache).

        Raises:
            CompileError: an unknown parameter or a bad value.
        """
        if not params:
            return self.engine
        key = (self.content_hash, tuple(sorted(params.items())))
        with _ENGINES_LOCK:
            engine = _PARAM_ENGINES.get(key)
            if engine is not None:
                _PARAM_ENGINES.move_to_end(key)
                return engine
        engine = Engine(self.campaign, params=params, backend="python")
        with _ENGINES_LOCK:
            _PARAM_ENGINES[key] = engine
            while len(_PARAM_ENGINES) > MAX_PARAM_ENGINES:
                _PARAM_ENGINES.popitem(last=False)
        return engine


@dataclass(frozen=True)
class ReloadReport:
    """What a (re)load did.

    Attributes:
        loaded: campaign ids now served from a new or changed file.
        unchanged: campaign ids whose file did not change.
        kept: campaign ids whose file is now invalid, still served in the previous version.
        removed: campaign ids no longer served (file deleted).
        problems: file name -> problems found in it (invalid files are left out or kept).
    """

    loaded: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    problems: Mapping[str, tuple[Problem, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (``POST /admin/reload``)."""
        return {
            "loaded": list(self.loaded),
            "unchanged": list(self.unchanged),
            "kept": list(self.kept),
            "removed": list(self.removed),
            "problems": {f: [p.to_dict() for p in ps] for f, ps in sorted(self.problems.items())},
        }


class CampaignRegistry:
    """The campaigns of one directory, by id; :meth:`reload` swaps them in one step.

    Args:
        directory: the served directory.
        backend: backend of the default-parameter engines.
    """

    def __init__(self, directory: Path, *, backend: BackendChoice = "auto") -> None:
        m.build_models()  # a long-running process: validators built once, before any request dumps a campaign
        self.directory = directory
        self.backend: BackendChoice = backend
        self._by_id: Mapping[str, Served] = MappingProxyType({})
        self._lock = threading.Lock()
        self.last_report = ReloadReport()

    @property
    def campaigns(self) -> Mapping[str, Served]:
        """Campaign id -> served campaign (a read-only snapshot; safe to keep during a reload)."""
        return self._by_id

    def reload(self) -> ReloadReport:
        """Read the directory again and swap in the result atomically.

        A file that fails to load never replaces a good loaded version of its campaign: the old
        version is kept and the problems are reported. Engines are built before the swap, so a
        request never waits for a compilation.
        """
        with self._lock:
            old = self._by_id
            old_by_file = {s.file: s for s in old.values()}
            new: dict[str, Served] = {}
            problems: dict[str, tuple[Problem, ...]] = {}
            loaded, unchanged, kept = [], [], []
            files = sorted(
                p for p in self.directory.glob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
            )
            for path in files:
                served, found = self._load(path, old_by_file.get(path.name))
                if found:
                    problems[path.name] = found
                if served is None:
                    continue
                if served.campaign.id in new:
                    other = new[served.campaign.id].file
                    problems[path.name] = (
                        Problem(
                            "duplicate-id",
                            f"campaign id {served.campaign.id!r} is also served from "
                            f"{other}; this file is left out",
                            ("id",),
                            SourceLocation(path.name, 1, 1),
                        ),
                    )
                    continue
                new[served.campaign.id] = served
                previous = old_by_file.get(path.name)
                if found:
                    kept.append(served.campaign.id)
                elif previous is not None and previous.content_hash == served.content_hash:
                    unchanged.append(served.campaign.id)
                else:
                    loaded.append(served.campaign.id)
            for served in new.values():
                served.engine  # noqa: B018 - build (or find) the engine before the swap
            removed = sorted(set(old) - set(new))
            self._by_id = MappingProxyType(new)
            self.last_report = ReloadReport(
                tuple(loaded), tuple(unchanged), tuple(kept), tuple(removed), problems
            )
            return self.last_report

    def _load(
        self, path: Path, previous: Served | None
    ) -> tuple[Served | None, tuple[Problem, ...]]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return previous, (
                Problem(
                    "unreadable",
                    f"cannot read: {exc.strerror or exc}",
                    location=SourceLocation(path.name, 1),
                ),
            )
        digest = hashlib.sha256(data).hexdigest()
        if previous is not None and previous.content_hash == digest:
            return previous, ()
        try:
            campaign = campaign_from_text(data, file=path.name, texts=DocumentTexts(self.directory))
        except (YAMLSyntaxError, CampaignError) as exc:
            found = tuple(getattr(exc, "problems", ())) or (
                Problem("unreadable", str(exc), location=SourceLocation(path.name, 1)),
            )
            return previous, found
        return Served(campaign, digest, path.name, self.backend), ()
