"""Citations inside a campaign: where each rule comes from, named as people cite documents.

Read alike from a validated campaign and from its twin read back from the cache (:mod:`.nodes`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from emulation_rules.campaign.nodes import UNCHECKED, SourceShape
from emulation_rules.campaign.twins import Shape, fields_of

if TYPE_CHECKING:
    from emulation_rules.campaign.model import Document, Source

__all__ = ["attach_documents", "citations", "cite_many", "name_citations"]


def citations(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Source, tuple[str | int, ...]]]:
    """Every :class:`Source` inside ``node`` (a node, a tuple of nodes, or a source) with its
    data path (keys as written in the file, e.g. ``("awards", 0, "criteria", 1, "source")``),
    in field order."""
    if isinstance(node, SourceShape):
        yield node, path  # type: ignore[misc]
    elif _walked(node) and not isinstance(node, tuple):
        for name, alias in fields_of(node):
            value = getattr(node, name)
            if _walked(value):
                yield from citations(value, (*path, alias or name))
    elif isinstance(node, tuple):
        for i, item in enumerate(node):
            if _walked(item):
                yield from citations(item, (*path, i))


def _walked(value: Any) -> bool:
    """A node of either form, any other pydantic model (an author case), or a tuple."""
    return isinstance(value, (Shape, tuple)) or hasattr(type(value), "model_fields")


def attach_documents(node: Any, documents: tuple[Document, ...],
                     found: Iterator[tuple[Source, tuple[str | int, ...]]]) -> None:
    """Let each citation of ``found`` (those inside ``node``) print its document's name and
    whether its lines were checked against the document's text (see :meth:`Source.cite`)."""
    names = {d.id: d.citation_name() for d in documents}
    unchecked = {d.id for d in documents if d.text_status not in (None, "checked")}
    for source, _ in found:
        if source.doc in names:
            source._label = names[source.doc]
            source._lines_unchecked = source.doc in unchecked


def name_citations(node: Any, documents: tuple[Document, ...]) -> None:
    """Let every :class:`Source` inside ``node`` (a model, a tuple of them, or a source) print
    its document's name from ``documents`` (see :meth:`Source.cite`). Campaigns do this when
    loaded; author case files, whose citations stand outside the campaign, call it."""
    attach_documents(node, documents, citations(node))


def cite_many(sources: tuple[Source, ...]) -> str:
    """Several citations in words, those of one place in one document joined:
    ``Kế hoạch 115/KH-CĐTKV (dòng 9, 96, 98)``."""
    groups: dict[str, list[str]] = {}
    unchecked: set[str] = set()
    for s in sources:
        head = s.place()
        spans = groups.setdefault(head, [])
        if s.lines is not None:
            a, b = s.lines
            spans.append(str(a) if a == b else f"{a}-{b}")
            if s._lines_unchecked:
                unchecked.add(head)
    return "; ".join(f"{head} (dòng {', '.join(spans)}{UNCHECKED if head in unchecked else ''})"
                     if spans else head for head, spans in groups.items())
