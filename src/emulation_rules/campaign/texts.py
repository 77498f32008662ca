"""Honest citations: which documents' texts were found, and what the campaign says when not.

A citation's ``lines`` mean something only when they were checked against the document's text
(inside the text, and the rule's figures printed there: :mod:`.figures`). When the loader finds
no text for a document that declares one, its citations still print, marked
"(dòng 102, chưa đối chiếu)" (lines not checked), and:

* ``validate`` prints a located warning ``text-not-found`` (or ``text-unreadable``) at the
  document's ``text``;
* every command that prints citations says once, before its output, which documents' lines
  were not checked and why (:func:`unchecked_note`).

A document may carry ``sha256`` (of its text file's bytes): a text found later that is another
version is refused, located at ``sha256`` (``text-mismatch``): its line numbers would point
elsewhere.

The texts are looked up beside the campaign file (``text`` is a path relative to it), then by
file name in the directories listed in ``$EMULATION_RULES_DOCUMENTS``.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.reading import InputFileError, read_limited
from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.errors import Problem

__all__ = ["DOCUMENTS_ENV", "MAX_TEXT_BYTES", "WARNING_CODES", "DocumentTexts", "check_texts", "text_warnings",
           "unchecked_note"]

DOCUMENTS_ENV = "EMULATION_RULES_DOCUMENTS"
"""Environment variable listing directories (``os.pathsep``-separated) where document texts
not found beside the campaign file are looked up by file name."""

MAX_TEXT_BYTES = 16 * 1024 * 1024
"""Largest document text read (a whole code of law is well under 2 MB)."""

WARNING_CODES = frozenset({"text-not-found", "text-unreadable"})
"""Codes that :func:`check_texts` reports as warnings: the campaign loads, its lines unchecked."""


class DocumentTexts:
    """Finds and reads the texts of a campaign's documents (each read once, NFC, by lines).

    A text is read only from inside the campaign file's directory tree or one of the search
    directories, symbolic links resolved: ``text: ../../../../etc/passwd`` or a link to
    ``/proc/self/environ`` is never opened; such a document is listed in :attr:`outside` (the
    figure check reports it, ``document-outside``), and only regular files are read.

    Args:
        base: the campaign file's directory (``text`` paths are relative to it); ``None`` for
            a campaign given as text.
        search: more directories where a text is looked up by file name; the directories of
            ``$EMULATION_RULES_DOCUMENTS`` are added after them.
    """

    def __init__(self, base: str | os.PathLike[str] | None,
                 search: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.base = Path(base) if base is not None else None
        env = [p for p in os.environ.get(DOCUMENTS_ENV, "").split(os.pathsep) if p]
        self.search = tuple(Path(p) for p in (*search, *env))
        self._cache: dict[str, list[str] | None] = {}
        self.outside: dict[str, Path] = {}
        """Documents whose text was found only outside the allowed directories (not read)."""

    def _roots(self) -> list[Path]:
        roots = []
        for d in ([self.base] if self.base is not None else []) + list(self.search):
            try:
                roots.append(d.resolve())
            except (OSError, RuntimeError):
                continue
        return roots

    def find(self, doc: m.Document) -> Path | None:
        """The file holding ``doc``'s text, or ``None`` (no ``text`` declared, not found, or
        found only outside the allowed directories: then listed in :attr:`outside`)."""
        if doc.text is None:
            return None
        rel = Path(doc.text)
        candidates = [self.base / rel] if self.base is not None else []
        candidates += [d / rel.name for d in self.search]
        roots = self._roots()
        for c in candidates:
            try:  # an over-long or odd path is a text not found, never an error of the output
                if not c.is_file():
                    continue
                real = c.resolve()
            except (OSError, RuntimeError, ValueError):
                continue
            if any(real.is_relative_to(r) for r in roots):
                return c
            self.outside.setdefault(doc.id, c)
        return None

    def lines(self, doc: m.Document) -> list[str] | None:
        """``doc``'s text as NFC lines, or ``None`` when it has none or it cannot be read."""
        if doc.id not in self._cache:
            path = self.find(doc)
            lines = None
            if path is not None:
                try:  # bounded, a regular file only (no FIFO, no device)
                    raw = read_limited(path, MAX_TEXT_BYTES)
                    lines = unicodedata.normalize("NFC", raw.decode("utf-8")).splitlines()
                except (InputFileError, UnicodeDecodeError):
                    lines = None
            self._cache[doc.id] = lines
        return self._cache[doc.id]


def check_texts(c: m.Campaign, smap: SourceMap | None,
                texts: DocumentTexts | None) -> tuple[list[Problem], list[Problem]]:
    """Find each declared text, verify its ``sha256``, and mark the documents and citations of
    ``c`` whose lines are not checked (:attr:`~.common.Document.text_status`,
    :attr:`~.common.Source.lines_checked`).

    Args:
        c: a campaign that passed the model and semantic checks.
        smap: where each value stands in the campaign file (for located problems).
        texts: where the texts are; ``None`` when they are not looked up (a campaign given as
            text): every declared text is then ``not-looked-up``.

    Returns:
        ``(errors, warnings)``: ``text-mismatch`` errors; ``text-not-found`` and
        ``text-unreadable`` warnings, each located at the document's ``text``.
    """
    smap = smap or SourceMap()
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for i, doc in enumerate(c.documents):
        if doc.text is None:
            continue
        where = ("documents", i, "text")
        if texts is None:
            doc._text_status = "not-looked-up"
            continue
        path = texts.find(doc)
        if path is None:
            doc._text_status = "not-found"
            warnings.append(Problem(
                "text-not-found",
                f"text {doc.text!r} of {doc.citation_name()} found neither beside the campaign file nor in "
                f"${DOCUMENTS_ENV}: its cited lines are not checked",
                where, smap.locate(where),
                f"put the file where 'text' says, or list its directory in {DOCUMENTS_ENV}"))
            continue
        try:
            with path.open("rb") as fh:
                raw = fh.read(MAX_TEXT_BYTES + 1)
        except OSError as exc:
            raw = None
            why = exc.strerror or str(exc)
        if raw is not None and len(raw) > MAX_TEXT_BYTES:
            raw, why = None, f"larger than {MAX_TEXT_BYTES // (1024 * 1024)} MiB"
        if raw is None or texts.lines(doc) is None:
            doc._text_status = "unreadable"
            warnings.append(Problem(
                "text-unreadable",
                f"text {str(path)!r} of {doc.citation_name()} cannot be read "
                f"({why if raw is None else 'not UTF-8 text'}): its cited lines are not checked",
                where, smap.locate(where), "give a UTF-8 text file"))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if doc.sha256 is not None and digest != doc.sha256:
            doc._text_status = "mismatch"
            at = ("documents", i, "sha256")
            errors.append(Problem(
                "text-mismatch",
                f"the text {str(path)!r} of {doc.citation_name()} has SHA-256 {digest[:12]}…, not the "
                f"{doc.sha256[:12]}… declared: another version of the document, where the cited lines "
                "may say something else",
                at, smap.locate(at),
                "supply the version the campaign was encoded from, or re-check every citation of "
                "this document against the new text and then update 'sha256'"))
            continue
        doc._text_status = "checked"
    m.name_citations(c, c.documents)  # the citations learn whether their lines were checked
    for p in warnings:
        c.documents[p.path[1]]._text_warning = p  # type: ignore[index]
    return errors, warnings


def text_warnings(c: m.Campaign) -> list[Problem]:
    """The located warnings found when ``c`` was loaded (texts not found or unreadable)."""
    return [d._text_warning for d in c.documents if d._text_warning is not None]


_WHY = {
    "vi": {"not-found": "không tìm thấy văn bản {text!r}", "unreadable": "không đọc được văn bản {text!r}",
           "not-looked-up": "không tra văn bản (phong trào đưa vào dạng văn bản YAML)",
           "mismatch": "văn bản {text!r} là phiên bản khác"},
    "en": {"not-found": "text {text!r} not found", "unreadable": "text {text!r} cannot be read",
           "not-looked-up": "texts not looked up (campaign given as YAML text)",
           "mismatch": "text {text!r} is another version"},
}
_NOTE = {
    "vi": "chú ý: các dòng trích dẫn từ {docs} chưa được đối chiếu với văn bản, in kèm \"chưa đối chiếu\" "
          "(đặt văn bản cạnh tệp phong trào hoặc khai báo thư mục trong ${env})",
    "en": "note: the lines cited from {docs} were not checked against their texts and are marked "
          "\"chưa đối chiếu\" (not checked) (put the texts beside the campaign file or list their "
          "directory in ${env})",
}


def unchecked_note(campaigns: Iterable[m.Campaign], *, lang: str = "vi") -> str | None:
    """One line saying which documents' cited lines were not checked and why, for every
    command that prints citations; ``None`` when every cited text was checked.

    Example:
        >>> unchecked_note([]) is None
        True
    """
    lang = "en" if lang == "en" else "vi"
    parts: list[str] = []
    for c in campaigns:
        for d in c.documents:
            status = d.text_status
            if status in (None, "checked"):
                continue
            why = _WHY[lang][status].format(text=d.text)
            part = f"{d.citation_name()} ({why})"
            if part not in parts:
                parts.append(part)
    if not parts:
        return None
    return _NOTE[lang].format(docs="; ".join(parts), env=DOCUMENTS_ENV)
