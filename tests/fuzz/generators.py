"""Generators of hostile inputs for the doors of issue 23: .xlsx workbooks (zip structure, sheet
dimensions and cell positions, shared strings), ``migrate`` inputs (version 1 files edited), and
facts holding lone surrogates. Each takes a :class:`random.Random`, so the same code feeds the
hypothesis tests of the suite (``st.randoms()``) and the big runs (``tests/fuzz/big_run.py``).
"""

from __future__ import annotations

import json
import os
import random
import warnings
import zipfile
import zlib
from functools import cache
from pathlib import Path

from tests.fuzz.mutations import NASTY
from tests.fuzz.xlsx_parts import declare_smaller, inline, shared_strings, sheet, workbook

ROOT = Path(__file__).resolve().parents[2]
V1 = ROOT / "tests" / "data" / "v1"
# the shipped campaigns name their texts in ../shared/seeds: a configured documents directory
os.environ.setdefault("EMULATION_RULES_DOCUMENTS", str(ROOT.parent / "shared" / "seeds"))

# --- .xlsx ----------------------------------------------------------------------------------------

_KEYS = ["id", "kind", "role", "name", "member_rating", "complies_with_policy", "initiatives"]
_VALUES = ["NV-1", "individual", "member", "fair", "good", "có", "không", "2", "", "=1+1", "x" * 300]


def _column(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _far_ref(r: random.Random) -> str:
    """A cell reference: mostly near, sometimes at or past the grid's edges."""
    choice = r.random()
    if choice < 0.6:
        return f"{_column(r.randint(1, 30))}{r.randint(1, 200)}"
    if choice < 0.8:
        return f"{_column(r.randint(1, 16_384))}{r.randint(1, 1_048_576)}"
    if choice < 0.9:
        return f"{_column(r.randint(1, 20_000))}{r.choice([1_048_576, 1_048_577, 10**9, 4_294_967_295, 10**12])}"
    return r.choice(["a1", "$A$1", "A0", "&#65;1", "A-1", "", "1A", "ZZZZZ1", "A" + "9" * 20, "XFD1048576"])


def _cell(r: random.Random, ref: str | None, strings: int, *, plain: bool) -> str:
    attr = "" if ref is None else f' r="{ref}"'
    kind = r.random() * (0.8 if plain else 1.0)
    if kind < 0.4:
        return f'<c{attr} t="inlineStr"><is><t>{r.choice(_VALUES)}</t></is></c>'
    if kind < 0.6 and strings:
        return f'<c{attr} t="s"><v>{r.randint(0, strings - 1 if plain else strings + 1)}</v></c>'
    if kind < 0.8:
        return f"<c{attr}><v>{r.choice(['1', '2.5', '-3', '45000'] if plain else ['1e308', 'NaN', 'inf', 'x'])}</v></c>"
    if kind < 0.9:
        return f'<c{attr} t="{r.choice(["b", "e", "str", "d", "n", "zz"])}"><v>{r.choice(["1", "0", "#N/A", "2020-01-01"])}</v></c>'
    return f"<x:c{attr}><x:v>1</x:v></x:c>" if r.random() < 0.5 else f"<c{attr}/>"


def _sheet_xml(r: random.Random, strings: int, hostile: bool) -> str:
    """Rows of plain cells; a hostile sheet gets a few cells far out, without or with odd
    references, odd types, a block near the cell bound, or a lying ``<dimension>``."""
    keys = r.sample(_KEYS, r.randint(1, 7))
    rows = ['<row r="1">' + "".join(inline(f"{_column(j + 1)}1", k) for j, k in enumerate(keys)) + "</row>"]
    for i in range(2, r.randint(2, 40)):
        cells = "".join(_cell(r, f"{_column(j + 1)}{i}", strings, plain=True) for j in range(r.randint(0, len(keys))))
        rows.append(f'<row r="{i}">{cells}</row>')
    dimension = None
    for _ in range(r.randint(1, 3) if hostile else 0):
        what = r.random()
        at = r.randrange(1, len(rows) + 1)
        if what < 0.4:
            rows.insert(at, f"<row>{_cell(r, _far_ref(r), strings, plain=False)}</row>")
        elif what < 0.55:
            rows.insert(at, "<row>" + "".join(_cell(r, None, strings, plain=False) for _ in range(r.randint(1, 5))) + "</row>")
        elif what < 0.7:
            rows.insert(at, f'<row r="{r.choice([1_048_576, 1_048_577, 10**9])}"/>')
        elif what < 0.85:  # a block reaching near the cell bound: rarely just under it (slow to read)
            width = r.choice([10, 100, 16_384])
            height = r.choice([1000, 1000, 5_000_000 // width + 1, 1_048_576, 5_000_000 // width if r.random() < 0.2 else 1])
            rows.append(f'<row r="{height}"><c r="{_column(width)}{height}"><v>1</v></c></row>')
        else:
            dimension = r.choice(["A1", "A1:G40", "A1:XFD1048576", f"A1:{_far_ref(r)}", "garbage", "A1:B"])
    return sheet("".join(rows), dimension)


def _strings(r: random.Random) -> tuple[str | None, int]:
    if r.random() < 0.4:
        return None, 0
    longest = r.choice([1, 10, 1000, 1000, 40_000, 200_000])
    n = r.randint(1, 50) if longest <= 1000 else r.randint(1, 3)
    items = ["x" * r.randint(0, longest) for _ in range(n)]
    text = shared_strings(items)
    if r.random() < 0.1:  # a count that lies
        text = text.replace(f'count="{n}"', f'count="{r.choice([0, 10**7, 10**12, -1])}"', 1)
    return text, n


def _many_copies(r: random.Random) -> str:
    """Rows referring to one long shared string (the 206 KB / 3.7 GB reproducer, scaled)."""
    count = r.choice([100, 100, 2000, 2000, 20_000])
    return "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c></row>' for i in range(2, count + 2))


@cache
def _form() -> bytes:
    """The submission form the tool writes for the TKV campaign (openpyxl), as a base."""
    import tempfile

    from emulation_rules.authoring.forms import write_form
    from emulation_rules.campaign.opening import load_campaign

    campaign = load_campaign(ROOT / "campaigns" / "tkv_2019.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.xlsx"
        write_form(campaign, path)
        return path.read_bytes()


def _zip_edit(r: random.Random, data: bytes) -> bytes:
    """One edit of the archive itself."""
    choice = r.random()
    if choice < 0.2:  # flip bytes
        raw = bytearray(data)
        for _ in range(r.randint(1, 8)):
            raw[r.randrange(len(raw))] = r.randrange(256)
        return bytes(raw)
    if choice < 0.3:
        return data[: r.randrange(len(data))]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a repeated part name is one of the edits
            return _rezip(r, data, choice)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ValueError, EOFError, OSError, IndexError,
            NotImplementedError, RuntimeError):
        return data  # an archive an earlier edit broke: kept as it is


def _rezip(r: random.Random, data: bytes, choice: float) -> bytes:
    import io

    if choice < 0.45:  # a part declares another size than it inflates to
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            name = r.choice(z.namelist())
        return declare_smaller(data, name, r.choice([0, 1, 100, 1 << 20, 1 << 30, 0xFFFFFFFF]))
    # parts removed, added or repeated
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        drop = r.choice(names) if r.random() < 0.3 else None
        for name in names:
            if name != drop:
                dst.writestr(name, src.read(name))
        extra = r.random()
        if extra < 0.3:
            dst.writestr(r.choice(["xl/workbook.bin", "content.xml", "xl/vbaProject.bin", "docProps/app.xml"]), b"<x/>")
        elif extra < 0.4:
            for i in range(10_001 if r.random() < 0.05 else 10):
                dst.writestr(f"junk/{i}.xml", b"", compress_type=zipfile.ZIP_STORED)
        elif extra < 0.45:
            pad = r.choice([1, 1, 1, 16, 64]) << 20  # inflates to up to 64 MiB from a few KB
            with dst.open("xl/media/pad.bin", "w") as handle:
                for _ in range(pad >> 20):
                    handle.write(bytes(1 << 20))
    return out.getvalue()


def make_xlsx(r: random.Random) -> bytes:
    """A hostile .xlsx workbook (bytes)."""
    if r.random() < 0.15:
        base = _form()
    else:
        strings, n = _strings(r)
        body = _sheet_xml(r, n, hostile=r.random() < 0.6)
        if strings is not None and r.random() < 0.2:
            body = body.replace("</sheetData>", _many_copies(r) + "</sheetData>")
        base = workbook(body, strings, name=r.choice(["Cá nhân", "S", "x" * 31, "'", "A&amp;B"]))
    for _ in range(r.choice([0, 0, 0, 0, 1, 1, 2])):
        base = _zip_edit(r, base)
    return base


# --- migrate ----------------------------------------------------------------------------------------

_SEEDS = ['000_40cc82fbe8059212.txt', '"my plan.txt"', "'my plan.txt'", '"a#b.txt"', "[a.txt, b.txt]", "12",
          '""', "~", '"../../etc/passwd"', '"\\ud800.txt"', "plan.txt # comment", '"x: y.txt"', "!!binary aGk="]


@cache
def _v1_bases() -> tuple[bytes, ...]:
    return tuple(p.read_bytes() for p in sorted(V1.glob("*.yaml")))


def make_migrate(r: random.Random) -> tuple[bytes, bool]:
    """A ``migrate`` input (bytes) and whether its edits keep the campaign's meaning (layout
    only: then a converted file must give the shipped campaign's verdicts)."""
    data = r.choice(_v1_bases())
    layout_only = True
    text = data.decode("utf-8")
    for _ in range(r.randint(0, 3)):
        choice = r.random()
        if choice < 0.25 and "source_seed:" in text:
            seed = r.choice(_SEEDS)
            layout_only &= seed in _SEEDS[:3]
            head, _, rest = text.partition("source_seed:")
            text = head + "source_seed: " + seed + "\n" + rest.partition("\n")[2]
        elif choice < 0.35:
            text = "\ufeff" + text
        elif choice < 0.45:
            text = text.replace("\n", "\r\n")
        elif choice < 0.55:
            text = text.replace("schema_version: 1", r.choice(["schema_version: 2", "schema_version: '1'", "",
                                                                  "schema_version: 1.0", "schema_version: 3"]), 1)
            layout_only = False
        elif choice < 0.65:  # the document block written as a flow mapping, or removed
            layout_only = False
            text = text.replace("document:\n", r.choice(["document: {number: '1/KH', date: 2019-03-29}\ndocument_old:\n",
                                                         "document: [1, 2]\nx:\n", "document: ~\ny:\n"]), 1)
        else:  # a nasty token somewhere
            layout_only = False
            token = r.choice([*NASTY, b"!!bool maybe", b"!!timestamp hello", b"[" * 200, b"\\ud800"])
            raw = text.encode("utf-8", "surrogatepass")
            at = r.randrange(len(raw))
            raw = raw[:at] + token + raw[at:]
            text = raw.decode("utf-8", "surrogateescape")
    return text.encode("utf-8", "surrogateescape"), layout_only


# --- surrogates in facts -------------------------------------------------------------------------

_ESCAPES = ["\\ud800", "\\udfff", "\\udbff\\udfff", "\\udc00\\ud800", "\\ud83d\\ude00", "\\ud800x", "\\u0000"]


@cache
def _facts_base() -> dict[str, object]:
    import yaml

    data = yaml.safe_load((ROOT / "examples" / "tkv_2019" / "facts.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def make_surrogate_facts(r: random.Random) -> tuple[str, bytes]:
    """``(suffix, bytes)``: the TKV example facts as JSON or YAML, with surrogate escapes put
    into some strings (ids, names, units, fact values, keys)."""
    text = json.dumps(_facts_base(), ensure_ascii=False)
    quotes = [i for i, ch in enumerate(text) if ch == '"']
    for _ in range(r.randint(1, 4)):
        at = r.choice(quotes) + 1
        text = text[:at] + r.choice(_ESCAPES) + text[at:]
        quotes = [i for i, ch in enumerate(text) if ch == '"']
    if r.random() < 0.5:
        return ".json", text.encode("utf-8")
    return ".yaml", text.encode("utf-8")  # JSON is YAML: double-quoted escapes read the same
