"""Validated campaigns kept between runs, so a command does not parse and check an unchanged
campaign file again (most of a cold start).

An entry is keyed by a SHA-256 over the campaign file's bytes, where its document texts are
looked up (its directory, ``documents=``, ``$EMULATION_RULES_DOCUMENTS``), this release (package,
Python and pydantic versions, and the size and time of every module of the campaign stage, so an
edited checker never reads an old entry). It holds the campaign as validated and, for each of its
documents, the text file found and that file's size and time: a text added, removed or changed
since is a miss, so the figure check runs again. Only campaigns without problems are kept.

Where: ``$EMULATION_RULES_CACHE`` (a directory; ``off`` turns the cache off), else the user's
cache directory as platformdirs names it (``~/.cache/emulation-rules`` on Linux, or under
``$XDG_CACHE_HOME``; ``~/Library/Caches/emulation-rules`` on macOS;
``%LOCALAPPDATA%\\emulation-rules\\Cache`` on Windows), written here in a few lines rather than
adding a dependency to every install. An entry is written whole or not at all (a temporary file
beside it, then a rename), begins with the SHA-256 of its body, and is read only when that
matches: a truncated or damaged entry is a miss and is written again. A cache that cannot be
read or written (read-only home, full disk) is no error: the campaign is validated as before.
Entries are pickles, of a form that needs neither pydantic nor the model to read: each node is
kept as its kind and field values (:func:`.twins.restore`), after the kinds' layouts. Read back
for ``evaluate`` (``light=True``) the campaign is made of plain twins of its nodes, which the
evaluators read as they read the model (:mod:`.twins`); read back for anything else it is made of
the model's own classes again, as pydantic would have unpickled them. The directory must be the
user's own (it is created readable by its owner
only, and so are the entries); never point ``$EMULATION_RULES_CACHE`` at a directory others can
write.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulation_rules.campaign import shapes
from emulation_rules.campaign.sources import remember_source
from emulation_rules.campaign.twins import Layouts, reduce_node, restore, twin_layouts

if TYPE_CHECKING:
    from emulation_rules.campaign.model import Campaign
    from emulation_rules.campaign.safe_yaml import SourceMap
    from emulation_rules.campaign.texts import DocumentTexts

CACHE_ENV = "EMULATION_RULES_CACHE"
"""Environment variable naming the cache directory; ``off`` (or ``0``, ``no``) turns it off."""
FORMAT = b"emulation-rules campaign cache 3\n"
_OFF = {"off", "0", "no", "false"}
_TextState = tuple[tuple[str, str | None, int, int], ...]


def user_cache_dir() -> Path | None:
    """The directory of this tool's cache, or ``None`` when it is turned off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in _OFF or not chosen.strip() else Path(chosen)
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        root = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(root) / "emulation-rules" / "Cache"
    if sys.platform == "darwin":  # pragma: no cover - exercised on macOS only
        return Path.home() / "Library" / "Caches" / "emulation-rules"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / "emulation-rules"


def _code_stamp() -> bytes:
    """What identifies this release's campaign stage: the Python version, and the size and time of
    pydantic's version files and of each module of the stage (an install or an edit changes them; reading the
    package version from its metadata would cost more than the rest of this)."""
    here = Path(__file__).resolve().parent
    parts = [FORMAT, sys.version.encode()]
    for module in sorted([*here.glob("*.py"), here.parent / "errors.py", *_pydantic_versions()]):
        st = module.stat()
        parts.append(f"{module.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return b"\0".join(parts)


def _pydantic_versions() -> list[Path]:
    """The files naming pydantic's and pydantic-core's versions (their size and time change with
    an upgrade), found without importing pydantic: a campaign from the cache does without it."""
    import importlib.util

    found = []
    for name, file in (("pydantic", "version.py"), ("pydantic_core", "__init__.py")):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            found.append(Path(next(iter(spec.submodule_search_locations))) / file)
    return found


class _Writer(pickle.Pickler):
    """Keeps each model node as :func:`.twins.restore`'s call (its kind and field values)."""

    def reducer_override(self, obj: object) -> Any:
        return reduce_node(obj) or NotImplemented


class _FullReader(pickle.Unpickler):
    """Reads an entry back as the model's own classes (:func:`.model.restore_model`)."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) == (restore.__module__, restore.__name__):
            from emulation_rules.campaign.model import restore_model

            return restore_model
        return super().find_class(module, name)


class CampaignCache:
    """The cache entry of one campaign file as read now (see the module doc)."""

    def __init__(self, directory: Path, content: bytes, base: Path,
                 search: Iterable[str | os.PathLike[str]]) -> None:
        h = hashlib.sha256(_code_stamp())
        for part in (str(base.resolve()), *(os.fspath(s) for s in search),
                     os.environ.get("EMULATION_RULES_DOCUMENTS", "")):
            h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
        h.update(b"\0" + content)
        self.path = directory / "campaigns" / f"{h.hexdigest()}.pickle"

    @classmethod
    def for_file(cls, content: bytes, base: Path,
                 search: Iterable[str | os.PathLike[str]]) -> CampaignCache | None:
        """The entry for a campaign file's ``content``, or ``None`` when the cache is off."""
        directory = user_cache_dir()
        if directory is None:
            return None
        try:
            return cls(directory, content, base, search)
        except OSError:  # the package's own files cannot be read (a zip import): no cache
            return None

    def get(self, texts: DocumentTexts, *, light: bool = False) -> Campaign | None:
        """The campaign kept for this file, or ``None`` (absent, damaged, or a text changed):
        made of plain twins of its nodes when ``light`` (read by the evaluators alike, without
        pydantic), else of the model's classes."""
        try:
            raw = self.path.read_bytes()
        except OSError:
            return None
        digest, body = raw[:32], raw[32:]
        if len(raw) < 32 or hashlib.sha256(body).digest() != digest:
            return None
        try:
            reader = pickle.Unpickler if light else _FullReader
            _, campaign, state, smap = reader(io.BytesIO(body)).load()  # our own entry, its digest checked
        except Exception:  # any damage, or a class layout of another release: a miss
            return None
        if not isinstance(campaign, shapes.Campaign) or state != _text_state(campaign, texts):
            return None
        remember_source(campaign, smap)
        return campaign

    def put(self, campaign: Campaign, texts: DocumentTexts, smap: SourceMap) -> None:
        """Keep ``campaign`` (validated against ``texts``) and where its values stand in the file
        (``smap``); silently nothing when it cannot."""
        try:
            buffer = io.BytesIO()
            _Writer(buffer, pickle.HIGHEST_PROTOCOL).dump(
                (Layouts(twin_layouts()), campaign, _text_state(campaign, texts), smap))
            body = buffer.getvalue()
            write_whole(self.path, hashlib.sha256(body).digest() + body)
        except (OSError, pickle.PicklingError):
            return


def _text_state(campaign: Campaign, texts: DocumentTexts) -> _TextState:
    """For each document: the text file found for it, with its size and time (or nothing)."""
    out: list[tuple[str, str | None, int, int]] = []
    for doc in campaign.documents:
        found = texts.find(doc)
        if found is None:
            out.append((doc.id, None, 0, 0))
            continue
        try:
            st = found.stat()
        except OSError:
            out.append((doc.id, None, 0, 0))
            continue
        out.append((doc.id, str(found.resolve()), st.st_size, st.st_mtime_ns))
    return tuple(out)


def write_whole(path: Path, data: bytes) -> None:
    """Write the cache entry ``path`` whole or not at all, readable by its owner only."""
    import tempfile  # only when an entry is written (with shutil, it costs a cold start ~5 ms)

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the user's own, as the entries
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
