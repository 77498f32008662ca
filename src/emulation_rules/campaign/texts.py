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
from collections.abc import Iterable

from emulation_rules.campaign import model as m
from emulation_rules.campaign.figures import DOCUMENTS_ENV, MAX_TEXT_BYTES, DocumentTexts
from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.errors import Problem

__all__ = ["WARNING_CODES", "check_texts", "text_warnings", "unchecked_note"]

WARNING_CODES = frozenset({"text-not-found", "text-unreadable"})
"""Codes that :func:`check_texts` reports as warnings: the campaign loads, its lines unchecked."""


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
