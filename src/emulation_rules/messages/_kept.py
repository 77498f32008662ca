"""The catalogue's entries as they are tried (:func:`emulation_rules.messages._compiled`) and its
word index, kept between runs in the user's cache directory beside the campaigns
(:mod:`emulation_rules.campaign.cache`): computed over all seven hundred entries they cost the
first translation of a run ~10 ms, read back ~1 ms.

An entry is keyed by this release: a SHA-256 over the format, the Python version and the size
and time of every module of this package (an install or an edited entry changes them). It begins
with the SHA-256 of its body and is read only when that matches; a damaged, unreadable or
unwritable entry is no error (the tables are computed as before and written again). The body is
a :mod:`marshal` dump of plain tuples, dicts, sets and strings.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from emulation_rules.campaign.cache import user_cache_dir, write_whole

FORMAT = b"emulation-rules message index 1\n"
T = TypeVar("T")


def _entry() -> Path | None:
    """Where this release's tables are kept, or ``None`` when the cache is off."""
    directory = user_cache_dir()
    if directory is None:
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha256(FORMAT + sys.version.encode())
    for name in sorted(os.listdir(here)):
        if name.endswith(".py"):
            st = os.stat(os.path.join(here, name))
            h.update(f"\0{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return directory / "messages" / f"{h.hexdigest()}.marshal"


def kept(build: Callable[[], T]) -> T:
    """The tables ``build`` computes, read back from the cache when this release kept them."""
    try:
        path = _entry()
    except OSError:  # the package's own files cannot be read (a zip import): no cache
        path = None
    try:
        raw = path.read_bytes() if path is not None else b""
    except OSError:  # not kept yet, or unreadable: computed and written
        raw = b""
    if len(raw) > 32 and hashlib.sha256(raw[32:]).digest() == raw[:32]:
        try:
            return marshal.loads(raw[32:])  # type: ignore[no-any-return]  # our own entry, checked
        except (EOFError, ValueError, TypeError):
            pass
    tables = build()
    if path is not None:
        try:
            body = marshal.dumps(tables)  # type: ignore[arg-type]  # tuples, dicts, sets, strings
            write_whole(path, hashlib.sha256(body).digest() + body)
        except (OSError, ValueError):
            pass
    return tables
