"""Workbooks written part by part, for tests that need what no spreadsheet program writes on
purpose: cells far out, shared strings copied into many cells, parts that inflate past their
declared size, odd zip structures (issue 23). A test reads them back with the real reader."""

from __future__ import annotations

import io
import struct
import zipfile

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
    'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)


def sheet(rows: str, dimension: str | None = None) -> str:
    """A worksheet part holding ``rows`` (``<row>`` elements) in its ``sheetData``."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{dim}<sheetData>{rows}</sheetData></worksheet>'


def shared_strings(strings: list[str]) -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return f'<sst {NS} count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'


def workbook(sheet_xml: str, strings: str | None = None, *, name: str = "Cá nhân",
             extra: dict[str, bytes] | None = None) -> bytes:
    """An .xlsx archive with one sheet (``sheet_xml``), optional shared strings and extra parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   f'relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook {NS} xmlns:r="{REL}"><sheets><sheet name="{name}" '
                   'sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if strings is not None:
            z.writestr("xl/sharedStrings.xml", strings)
        for part, data in (extra or {}).items():
            z.writestr(part, data)
    return buffer.getvalue()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def table(header: list[str], rows: list[list[str]]) -> str:
    """A sheet of inline-text cells: the key row, then the rows."""
    out = []
    for i, cells in enumerate([header, *rows], start=1):
        out.append(f'<row r="{i}">' + "".join(inline(f"{chr(65 + j)}{i}", v) for j, v in enumerate(cells)) + "</row>")
    return sheet("".join(out))


def declare_smaller(data: bytes, part: str, size: int) -> bytes:
    """The archive with ``part``'s uncompressed size rewritten as ``size`` in its local header and
    in the central directory: it now inflates past what the directory declares."""
    raw = bytearray(data)
    name = part.encode()
    local = raw.find(b"PK\x03\x04")
    while local >= 0:
        n = struct.unpack_from("<H", raw, local + 26)[0]
        if raw[local + 30 : local + 30 + n] == name:
            struct.pack_into("<I", raw, local + 22, size)
            break
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central >= 0:
        n = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + n] == name:
            struct.pack_into("<I", raw, central + 24, size)
            break
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)
