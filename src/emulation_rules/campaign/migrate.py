"""Convert a version 1 campaign or author case file to version 2 (documents and citations).

Version 1 named one plan text file (``source_seed``) and cited it as ``{seed: FILE, lines:
[a, b], clause: "..."}``; ``defects`` and ``not_machine_checkable`` listed bare ``lines``.
Version 2 declares ``documents`` (the plan first) and cites ``{doc: ID, lines, section,
article, clause, point}`` (:class:`~emulation_rules.campaign.model.Source`). The conversion
works on the text, line by line, so comments, order and layout are kept:

* ``schema_version: 1`` becomes ``2``; ``source_seed`` and the ``document`` block become one
  ``documents`` entry ``plan`` of kind ``plan`` whose ``text`` is the plan's text file, as a
  path relative to the campaign file when that file is found (else its file name);
* every ``{seed: ...}`` citation becomes ``{doc: plan, ...}`` and its ``clause`` (a plan's
  heading) becomes ``section``;
* a defect's or a non-checkable entry's ``lines: [a, b, c]`` becomes
  ``sources: [{doc: plan, lines: a}, ...]`` (consecutive lines joined into one range).

The text is read by the project's safe YAML reader (every problem located, never a traceback)
and a byte-order mark is dropped. Nothing is dropped silently: a ``source_seed`` that is not
text on a line of its own, a ``document`` block that is not a mapping, or a key of that block
missing from the result is a ``cannot-convert`` problem, located in the original file
(:func:`migrate_text` raises, nothing is written). The command line then validates the
converted text as a version 2 campaign, its documents' texts looked up from the file's folder
as the loader does, before calling it converted (``emulation-rules migrate``); a hand-written
file laid out unlike the shipped campaigns (block-style citations, multi-line lists) is left as
it is where no rule applies, and that validation names the spot.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from emulation_rules.campaign.safe_yaml import SourceMap, parse_yaml
from emulation_rules.errors import CampaignError, CampaignValidationError, PathItem, Problem

__all__ = ["convert", "migrate_text", "needs_migration"]

_VERSION = re.compile(r"^schema_version:\s*1\s*(#.*)?$")
_SOURCE_SEED = re.compile(r"^source_seed:")
_SEED_MAP = re.compile(r"\{(\s*)seed:\s*['\"]?[^,}'\"]+['\"]?([^}]*)\}")
_LINES = re.compile(r"^(\s*)(- )?lines:\s*\[([0-9,\s]*)\]\s*(#.*)?$")
_TOP_KEY = re.compile(r"^([a-z_]+):")


def needs_migration(data: Any) -> bool:
    """True when ``data`` (a parsed file) is a version 1 campaign or uses ``seed`` citations."""
    return isinstance(data, dict) and (data.get("schema_version") == 1 or "source_seed" in data)


def _ranges(numbers: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def _source_map(m: re.Match[str]) -> str:
    rest = re.sub(r"(?<=[,{\s])clause:", "section:", m.group(2))
    return "{" + m.group(1) + "doc: plan" + rest + "}"


def _text_path(seed: str, campaign_dir: Path | None) -> str:
    """The plan's text as a path relative to the campaign file when it lies in the campaign's
    folder tree (the only place the loader reads a text from, besides the documents directories,
    where the bare file name is looked up); else the file name."""
    if campaign_dir is not None:
        try:
            here = campaign_dir.resolve()
            for cand in (here / seed, here / "seeds" / seed, here / "shared" / "seeds" / seed):
                if cand.is_file() and cand.resolve().is_relative_to(here):
                    return Path(os.path.relpath(cand, here)).as_posix()
        except (OSError, RuntimeError, ValueError):
            pass
    return seed


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def migrate_text(text: str, path: str | os.PathLike[str] | None = None) -> str:
    """The version 2 text of a version 1 campaign or author case file (see :func:`convert`)."""
    return convert(text, path)[0]


def convert(text: str, path: str | os.PathLike[str] | None = None) -> tuple[str, Any, SourceMap | None]:
    """The version 2 text of a version 1 campaign or author case file.

    Args:
        text: the file's text (UTF-8 decoded).
        path: where the file is; used to write the plan's ``text`` as a path relative to it.

    Returns:
        ``(text, data, source map)``: the converted text (unchanged when there is nothing to
        convert) and, for a converted campaign, the text read back (else ``None, None``).

    Raises:
        YAMLSyntaxError: ``text`` is not YAML (located, as the loader reports it).
        CampaignValidationError: a ``cannot-convert`` problem (see the module docstring).
    """
    name = str(path) if path is not None else "<string>"
    text = text.removeprefix("\ufeff")
    data, smap = parse_yaml(text, file=name)
    is_campaign = isinstance(data, dict) and "source_seed" in data
    if is_campaign:
        _convertible(data, smap, text)
    elif isinstance(data, dict) and data.get("schema_version") == 1:  # else "converted" and still version 1
        raise _fail(smap, ("schema_version",), "a version 1 campaign names its plan's text in 'source_seed'; "
                    "without it no 'documents' can be written")
    campaign_dir = Path(path).parent if path is not None else None
    doc = data.get("document") if is_campaign and isinstance(data.get("document"), dict) else {}
    issuer = ""
    if is_campaign and isinstance(data.get("issuer"), dict):
        issuer = str(data["issuer"].get("vi") or "")
    lines = text.splitlines()
    doc_block: list[str] = []
    if is_campaign:
        lines, doc_block = _take_document_block(lines)
    out: list[str] = []
    section = ""
    for raw in lines:
        line = raw
        top = _TOP_KEY.match(line)
        if top:
            section = top.group(1)
        if is_campaign and _VERSION.match(line):
            out.append("schema_version: 2")
            continue
        seed_m = _SOURCE_SEED.match(line) if is_campaign else None
        if seed_m:
            if "schema_version" not in data:
                out.append("schema_version: 2")
            out.extend(_documents_head(str(data["source_seed"]), campaign_dir, doc, issuer))
            out.extend(_SEED_MAP.sub(_source_map, "  " + b) for b in doc_block)
            continue
        line = _SEED_MAP.sub(_source_map, line)
        if is_campaign and section in ("defects", "not_machine_checkable"):
            lm = _LINES.match(line)
            if lm:
                numbers = [int(x) for x in lm.group(3).replace(",", " ").split()]
                cites = ", ".join(
                    f"{{doc: plan, lines: {a}}}" if a == b else f"{{doc: plan, lines: [{a}, {b}]}}"
                    for a, b in _ranges(numbers)
                )
                comment = f"  {lm.group(4)}" if lm.group(4) else ""
                line = f"{lm.group(1)}{lm.group(2) or ''}sources: [{cites}]{comment}"
        out.append(line)
    new = "\n".join(out) + ("\n" if text.endswith("\n") else "")
    if is_campaign:
        back, back_map = _nothing_dropped(new, data, smap, name)
        return new, back, back_map
    return new, None, None


def _fail(smap: SourceMap, path: tuple[PathItem, ...], message: str) -> CampaignValidationError:
    return CampaignValidationError([Problem("cannot-convert", message, path, smap.locate(path),
                                            "convert this part by hand, then run migrate again")])


def _convertible(data: dict[str, Any], smap: SourceMap, text: str) -> None:
    """Refuse what the line-by-line conversion would lose."""
    seed = data["source_seed"]
    if not isinstance(seed, str) or not seed.strip():
        raise _fail(smap, ("source_seed",), "'source_seed' must name the plan's text file")
    if sum(1 for line in text.splitlines() if _SOURCE_SEED.match(line)) != 1:
        raise _fail(smap, ("source_seed",), "'source_seed' is not written on a line of its own at the "
                    "start of a line")
    document = data.get("document")
    if document is not None and not isinstance(document, dict):
        raise _fail(smap, ("document",), "'document' must be a mapping (number, date...)")
    if data.get("schema_version") not in (1, None):
        raise _fail(smap, ("schema_version",), f"'source_seed' beside schema_version "
                    f"{data.get('schema_version')!r}: neither version 1 nor 2")


def _nothing_dropped(new: str, old: dict[str, Any], smap: SourceMap, name: str) -> tuple[Any, SourceMap]:
    """Every key of the version 1 ``document`` block is in the converted ``documents[0]``; no
    top-level key is lost. Returns the converted text read back (located as ``FILE (converted)``)."""
    back_map = None
    try:
        data, back_map = parse_yaml(new, file=f"{name} (converted)")
    except CampaignError:  # the result cannot be read back: a failed conversion
        data = None
    if not isinstance(data, dict):
        raise _fail(smap, (), "the converted text cannot be read back")
    docs = data.get("documents")
    first = docs[0] if isinstance(docs, list) and docs and isinstance(docs[0], dict) else {}
    for key, value in (old.get("document") or {}).items():
        kept = first.get(key)
        if key not in first or (not isinstance(value, dict | list) and kept != value):
            raise _fail(smap, ("document", key), f"'document.{key}' would be lost")
    for key in old:
        if key not in ("source_seed", "document") and key not in data:
            raise _fail(smap, (key,), f"'{key}' would be lost")
    if data.get("schema_version") != 2 or "source_seed" in data:
        raise _fail(smap, ("schema_version",), "'schema_version: 1' is not written on a line of its own")
    assert back_map is not None
    return data, back_map


_FLOW_DOCUMENT = re.compile(r"^document:\s*\{(.*)\}\s*(#.*)?$")


def _take_document_block(lines: list[str]) -> tuple[list[str], list[str]]:
    """``lines`` without the top-level ``document:`` block, and that block's inner lines (a
    flow mapping ``document: {number: ..., date: ...}`` gives its keys one per line)."""
    for i, line in enumerate(lines):
        flow = _FLOW_DOCUMENT.match(line)
        if flow:
            inner = flow.group(1).strip()
            parsed = parse_yaml("{" + inner + "}")[0] if inner else {}
            keys = [f"  {_flow_entry(k, v)}" for k, v in parsed.items()] if parsed else []
            return lines[:i] + lines[i + 1 :], keys
        if line.rstrip() == "document:":
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or lines[j].startswith(" ")):
                j += 1
            while j > i + 1 and not lines[j - 1].strip():  # keep trailing blank lines in place
                j -= 1
            return lines[:i] + lines[j:], lines[i + 1 : j]
    return lines, []


def _flow_entry(key: Any, value: Any) -> str:
    """``key: value`` as YAML on one line (a nested mapping in flow style)."""
    text = yaml.safe_dump({key: value}, default_flow_style=True, allow_unicode=True,
                          sort_keys=False, width=1_000_000).strip()
    return text[1:-1]  # the one-entry mapping without its braces


def _documents_head(seed: str, campaign_dir: Path | None, doc: dict[str, Any], issuer: str) -> list[str]:
    head = ["documents:", "  - id: plan", "    kind: plan"]
    if not doc.get("number"):
        date = doc.get("date")
        year = getattr(date, "year", None)
        name = f"Kế hoạch của {issuer}" if issuer else "Kế hoạch"
        head.append(f"    cite_as: {_quote(name + (f' năm {year}' if year else ''))}")
    if issuer:
        head.append(f"    issuer: {_quote(issuer)}")
    text = _text_path(seed, campaign_dir)
    head.append(f"    text: {text if re.fullmatch(r'[A-Za-z0-9_./-]+', text) else _quote(text)}")
    return head
