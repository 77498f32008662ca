"""Bounds of an .xlsx workbook, checked from its archive and sheet XML before the reader runs.

python-calamine turns a sheet into a rectangle from A1 to its farthest cell and copies a shared
string into every cell that refers to it: one cell at XFD1048576 asks for 512 GiB and aborts the
process, a 100 KB string referred to by 20,000 cells takes 4 GB. Nothing of that can be caught
once the reader has started, so :func:`check_xlsx` reads the archive first, in Python, streaming,
within fixed limits:

* the archive: a zip whose directory lists at most :data:`MAX_ENTRIES` parts, with an
  ``xl/workbook.xml`` (an .xls, .xlsb or .ods file, which the reader would also take, is refused);
  every part is inflated, in pieces, and the total may not pass :data:`MAX_INFLATED` bytes (as
  the directory declares them, and as they inflate: a part larger than declared fails its check);
* the sheets: every cell position (the ``r`` reference, or the place the reader gives a cell
  without one) lies in Excel's grid, and the rectangles from A1 to each sheet's farthest cell hold
  at most :data:`MAX_CELLS` cells together; a sheet's ``<dimension>`` may not declare more;
* shared strings: at most :data:`MAX_SHARED_STRINGS` of them, and the text the cells that refer
  to them receive (each cell its own copy) at most :data:`MAX_SHARED_TEXT` bytes.

Each bound gives its own problem code (``too-many-cells``, ``too-many-strings``,
``inflates-too-large``), located at the part of the workbook it concerns.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from emulation_rules.errors import FactsError, Problem, ProblemCode, SourceLocation

__all__ = [
    "MAX_CELLS",
    "MAX_ENTRIES",
    "MAX_INFLATED",
    "MAX_SHARED_STRINGS",
    "MAX_SHARED_TEXT",
    "check_xlsx",
]

MAX_CELLS = 5_000_000
"""Cells of the rectangles A1..farthest cell of all sheets together (about 45 bytes each once read)."""
MAX_INFLATED = 256 * 1024 * 1024
"""Bytes of all parts of the archive once inflated."""
MAX_ENTRIES = 10_000
"""Parts (files) in the archive."""
MAX_SHARED_STRINGS = 5_000_000
"""Entries of the shared strings table."""
MAX_SHARED_TEXT = 64 * 1024 * 1024
"""Bytes of shared-string text copied into the cells that refer to it."""
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
"""Excel's grid: rows 1..1,048,576, columns A..XFD."""

_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError,
               ValueError, OSError, EOFError, KeyError, IndexError, struct.error, UnicodeDecodeError)
"""What reading a damaged archive may raise (found by fuzzing: an unknown zip version is
``NotImplementedError``)."""

_WINDOW = 1 << 20
"""A part is read in windows of about this size, cut after a row's end tag."""

_NAME = rb"<(?:[\w.-]+:)?"
_END = rb"(?=[\s/>])"
_TAG = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
_ROW_TAG = re.compile(_NAME + rb"row" + _END + _TAG)
_CELL_TAG = re.compile(_NAME + rb"c" + _END + _TAG)
_ANY_TAG = re.compile(_NAME + rb"(row|c)" + _END + _TAG)
_CELL_CLOSE = re.compile(rb"</(?:[\w.-]+:)?c\s*>|" + _NAME + rb"c" + _END)
_SI = re.compile(_NAME + rb"si" + _END + _TAG + rb"(.*?)</(?:[\w.-]+:)?si\s*>", re.S)
_SI_PLAIN = re.compile(rb"<si>(.*?)</si>", re.S)
_DIMENSION = re.compile(_NAME + rb"dimension" + _END + _TAG)
_SST = re.compile(_NAME + rb"sst" + _END + _TAG)
_PLAIN_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]{1,7}"')
_PLAIN_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_PLAIN_ROW_TAG = re.compile(rb'<row r="([0-9]{1,7})"')
_ATTR = re.compile(rb"(?:^|\s)([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v" + _END + rb"[^>]*>\s*([0-9]+)\s*<")
_REF = re.compile(r"\$?([A-Z]{1,4})\$?([0-9]{1,12})")
_WS = (b" ", b"\t", b"\n", b"\r", b">", b"/")


def _attrs(raw: bytes) -> dict[bytes, str]:
    """Attributes by local name, values with XML references resolved."""
    out: dict[bytes, str] = {}
    for m in _ATTR.finditer(raw):
        name = m[1].rsplit(b":", 1)[-1]
        value = m[2] if m[2] is not None else m[3]
        out[name] = html.unescape(value.decode("utf-8", "replace"))
    return out


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class _Part:
    """What one part's XML says: its cells' reach and shared-string use."""

    max_row: int = 0
    max_col: int = 0
    farthest: tuple[int, int] = (1, 1)
    dimension: tuple[int, int] | None = None
    string_cells: int = 0  # cells that refer to a shared string
    strings: array[int] = field(default_factory=lambda: array("q"))  # bytes of each shared string
    declared_strings: int = 0
    row: int = 0
    col: int = 0


class _Bounds:
    """Builds the problems, located at a sheet's cell (``form.xlsx:Sheet!XFD1048576``) or, for
    another part of the archive, at the file with the part named in the message."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.sheets: dict[str, str] = {}  # part name -> sheet name

    def fail(self, code: ProblemCode, message: str, part: str | None = None,
             cell: tuple[int, int] | None = None) -> FactsError:
        sheet = self.sheets.get(part or "")
        if sheet is not None:
            row, col = cell or (1, None)
            location = SourceLocation(self.file, max(row, 1), col or None, sheet)
        else:
            location = SourceLocation(self.file, 1)
            if part:
                message = f"{message} (part {part} of the archive)"
        return FactsError([Problem(code, message, location=location)])

    def name_sheets(self, archive: zipfile.ZipFile) -> None:
        """Sheet names by part, from the workbook and its relationships (small parts only)."""
        try:
            book = _small(archive, "xl/workbook.xml")
            rels = _small(archive, "xl/_rels/workbook.xml.rels")
        except _ZIP_ERRORS:
            return
        targets = {}
        for m in re.finditer(rb"<(?:[\w.-]+:)?Relationship(?=[\s/>])([^>]*)>", rels):
            attrs = _attrs(m[1])
            target = attrs.get(b"Target", "").lstrip("/")
            targets[attrs.get(b"Id", "")] = target if target.startswith("xl/") else f"xl/{target}"
        for m in re.finditer(rb"<(?:[\w.-]+:)?sheet(?=[\s/>])([^>]*)>", book):
            attrs = _attrs(m[1])
            part = targets.get(attrs.get(b"id", ""))
            if part:
                self.sheets[part] = attrs.get(b"name", part)


def _small(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > 4 << 20:
        return b""
    with archive.open(info) as handle:
        return handle.read(4 << 20)


def check_xlsx(data: bytes, file: str) -> None:
    """Refuse a workbook that would take the reader past the module's limits.

    Raises:
        FactsError: ``unreadable`` (not a zip, not an .xlsx, a part that fails its check),
            ``inflates-too-large``, ``too-many-cells`` or ``too-many-strings``.
    """
    bounds = _Bounds(file)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:  # zipfile raises NotImplementedError for an unknown zip version
        raise bounds.fail("unreadable", f"not an .xlsx workbook (not a zip archive: {exc})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise bounds.fail("inflates-too-large", f"the archive has {len(infos)} parts, more than {MAX_ENTRIES}")
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names or names & {"xl/workbook.bin", "content.xml"}:
            raise bounds.fail("unreadable", "not an .xlsx workbook (no xl/workbook.xml in the archive)")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_INFLATED:
            raise bounds.fail("inflates-too-large", f"the archive's parts inflate to {declared} bytes, "
                              f"more than {MAX_INFLATED}")
        bounds.name_sheets(archive)
        parts: dict[str, _Part] = {}
        for info in infos:
            try:
                # zipfile stops at the declared size and checks the CRC: a part that inflates
                # past what the directory says fails here, having used no more than declared
                text = archive.read(info)
            except _ZIP_ERRORS as exc:
                raise bounds.fail("unreadable", f"not an .xlsx workbook ({exc})", info.filename) from None
            part = parts[info.filename] = _Part()
            _scan(part, text, bounds, info.filename)
            del text
    _judge(parts, bounds)


def _windows(text: bytes) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of windows of about :data:`_WINDOW` bytes, each cut after a row's end."""
    start = 0
    while start < len(text):
        cut = text.find(b"row>", start + _WINDOW)
        end = len(text) if cut < 0 else cut + 4
        yield start, end
        start = end


def _scan(part: _Part, text: bytes, bounds: _Bounds, name: str) -> None:
    """Read one part: each window is counted by regular expressions run in C when its cells are
    written plainly (``<c r="B7"``, as Excel and openpyxl write them); else walked tag by tag as
    the reader places cells (a cell without ``r`` in the next column, a row without ``r`` next)."""
    if b"dimension" in text and (m := _DIMENSION.search(text)) is not None:
        ref = _attrs(m[1]).get(b"ref", "").split(":")[-1]
        found = _REF.fullmatch(ref)
        part.dimension = (int(found[2]), _column(found[1])) if found else (0, 0)
    if b"sst" in text and (m := _SST.search(text)) is not None:
        for key, value in _attrs(m[1]).items():
            if key in (b"count", b"uniqueCount") and value.isdigit() and len(value) < 12:
                part.declared_strings = max(part.declared_strings, int(value))
    if b"si" in text:
        _strings(part, text, bounds, name)
    plain = b":c" not in text or not any(text.count(b":c" + w) for w in _WS)
    for start, end in _windows(text):
        if plain:
            window = text[start:end]
            cells = window.count(b"<c ")
            if window.count(b"<c") != cells:  # other tags (<col ...>) or cells written otherwise
                cells += sum(window.count(b"<c" + w) for w in _WS[1:])
            if not cells:
                continue
            columns = _PLAIN_COLUMN.findall(window)
            rows = _PLAIN_ROW.findall(window)
            if len(columns) == cells == len(rows):
                col = max(set(columns), key=lambda c: (len(c), c))
                row = max(map(int, set(rows)))
                row_refs = _PLAIN_ROW_TAG.findall(window)
                part.row = max(part.row + window.count(b"<row"), max(map(int, row_refs), default=0))
                _reach(part, row, _column(col.decode()), bounds, name)
                part.string_cells += window.count(b't="s"') + window.count(b"t='s'")
                continue
        _walk(part, text, start, end, bounds, name)


def _strings(part: _Part, text: bytes, bounds: _Bounds, name: str) -> None:
    total = sum(text.count(b"<si" + w) for w in _WS) + sum(text.count(b":si" + w) for w in _WS)
    found = _SI_PLAIN.findall(text)
    if len(found) == total:
        part.strings.extend(map(len, found))
    else:
        part.strings.extend(len(m[2]) for m in _SI.finditer(text))
        part.strings.extend([0] * max(0, total - len(part.strings)))  # unfinished: counted, empty
    if len(part.strings) > MAX_SHARED_STRINGS:
        raise bounds.fail("too-many-strings", f"more than {MAX_SHARED_STRINGS} shared strings", name)


def _walk(part: _Part, text: bytes, start: int, end: int, bounds: _Bounds, name: str) -> None:
    for m in _ANY_TAG.finditer(text, start, end):
        attrs = _attrs(m[2])
        ref = attrs.get(b"r")
        if m[1] == b"row":
            if ref is None:
                part.row += 1
            elif ref.isdigit() and 0 < len(ref) <= 12:
                part.row = int(ref)
            else:
                raise bounds.fail("unreadable", f"row number {ref[:20]!r} is not a row of the sheet", name)
            part.col = 0
            continue
        if ref is None:
            part.col += 1
            row, col = max(part.row, 1), part.col
        else:
            match = _REF.fullmatch(ref)
            if match is None:
                raise bounds.fail("unreadable", f"cell reference {ref[:20]!r} is not a cell of the sheet", name)
            row, col = int(match[2]), _column(match[1])
            part.col = col
        _reach(part, row, col, bounds, name)
        if attrs.get(b"t") == "s":
            part.string_cells += 1


def _reach(part: _Part, row: int, col: int, bounds: _Bounds, name: str) -> None:
    if row > MAX_ROWS or col > MAX_COLUMNS:
        raise bounds.fail("too-many-cells", f"a cell at row {row}, column {col} lies outside Excel's grid "
                          f"({MAX_ROWS} rows, {MAX_COLUMNS} columns)", name,
                          (min(row, MAX_ROWS), min(col, MAX_COLUMNS)))
    if row > part.max_row or col > part.max_col:
        part.farthest = (row, col)
    part.max_row = max(part.max_row, row)
    part.max_col = max(part.max_col, col)


def _judge(parts: dict[str, _Part], bounds: _Bounds) -> None:
    cells = 0
    for name, part in parts.items():
        if part.dimension is not None:
            rows, cols = part.dimension
            if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
                raise bounds.fail("too-many-cells", f"the sheet declares {rows} rows x {cols} columns "
                                  f"(<dimension>), more than {MAX_CELLS} cells", name,
                                  (min(rows, MAX_ROWS), min(cols, MAX_COLUMNS)))
        cells += part.max_row * part.max_col
        if cells > MAX_CELLS:
            raise bounds.fail("too-many-cells", f"the sheets span {cells} cells from A1 to their farthest "
                              f"cell, more than {MAX_CELLS}", name, part.farthest)
    strings = array("q")
    for name, part in parts.items():
        if part.declared_strings > MAX_SHARED_STRINGS:
            raise bounds.fail("too-many-strings", f"the shared strings table declares {part.declared_strings} "
                              f"strings, more than {MAX_SHARED_STRINGS}", name)
        strings.extend(part.strings)
    longest = max(strings, default=0)
    copies = sum(p.string_cells for p in parts.values())
    # each cell that refers to a shared string gets its own copy: bounded by the longest string
    if copies * longest > MAX_SHARED_TEXT:
        name = max(parts, key=lambda n: parts[n].string_cells)
        raise bounds.fail("too-many-strings", f"{copies} cells refer to shared strings of up to {longest} bytes: "
                          f"their copies could take {copies * longest} bytes, more than {MAX_SHARED_TEXT}", name)
