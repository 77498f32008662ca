"""The HTML report (``--format html -o report.html``, issue 14 item 4), checked in a real browser.

Each page is written by the command line from a shipped example, opened by headless Chromium
from the file, screenshotted (the PNG is read back with zlib: it must be an image of some size
and more than one colour) and its DOM dumped; the numbers the page shows (verdicts per award,
quota counts, target values and figures) must equal the ``--format json`` output of the same
command. Without a Chromium binary those tests are skipped and say so (CI installs the OS
package ``chromium`` in ``.ci/run``); the checks on the HTML text itself always run.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from emulation_rules.cli.app import run
from emulation_rules.results.html import format_number

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "html"


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _example(campaign: str) -> list[str]:
    return [str(ROOT / "campaigns" / f"{campaign}.yaml"), "--facts",
            str(ROOT / "examples" / campaign / "facts.yaml")]


def _page(tmp_path: Path, command: str, campaign: str, *extra: str) -> tuple[Path, str]:
    """Write the page; return it and the same command's JSON output."""
    page = tmp_path / f"{campaign}.html"
    code, _, err = _cli(command, *_example(campaign), *extra, "--format", "html", "-o", str(page))
    assert code == 0, err
    code, text, err = _cli(command, *_example(campaign), *extra, "--format", "json")
    assert code == 0, err
    return page, text


# --- a small reader of what the page shows ------------------------------------------------------


_VOID = ("img", "link", "meta", "br", "input", "hr", "source", "col", "area", "base", "wbr")


class _Cells(HTMLParser):
    """Text of elements carrying data-* attributes, keyed by their ancestors' data-* values;
    and every src/href/url() that would make the browser fetch something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.cells: list[tuple[dict[str, str], str]] = []
        self.fetches: list[str] = []
        self.scripts = 0
        self._text: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for k in ("src", "href", "srcset", "poster", "data", "action"):
            if k in a:
                self.fetches.append(f"{tag} {k}={a[k]}")
        if "url(" in a.get("style", ""):
            self.fetches.append(f"{tag} style={a['style']}")
        if tag == "script":
            self.scripts += 1
        if tag in _VOID:
            return
        self.stack.append((tag, a))
        self._text.append([])

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or tag in _VOID or all(t != tag for t, _ in self.stack):
            return
        while self.stack:
            t, a = self.stack.pop()
            text = "".join(self._text.pop()).strip()
            if self._text:
                self._text[-1].append(text)
            if any(k.startswith("data-") for k in a):
                keys: dict[str, str] = {}
                for _, outer in self.stack:
                    keys.update({k: v for k, v in outer.items() if k.startswith("data-")})
                keys.update({k: v for k, v in a.items() if k.startswith("data-")})
                keys["tag"] = t
                keys["in"] = " ".join(o.get("id", "") for _, o in self.stack if o.get("id"))
                self.cells.append((keys, text))
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._text:
            self._text[-1].append(data)
        if self.stack and self.stack[-1][0] == "style" and "url(" in data:
            self.fetches.append("style url(...)")


def _read(dom: str) -> _Cells:
    parser = _Cells()
    parser.feed(dom)
    parser.close()
    return parser


def _number(text: str, lang: str = "vi") -> float:
    """A number as the page prints it: ``1.234,5`` (vi) or ``1,234.5`` (en)."""
    text = text.replace(".", "").replace(",", ".") if lang == "vi" else text.replace(",", "")
    return float(text)


def _png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and pixel rows (RGB or RGBA bytes) of an 8-bit PNG, read with zlib."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat = 8, bytearray()
    width = height = bpp = 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(bytes(idat))
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 255
        elif f == 2:
            row = bytearray((a + b) & 255 for a, b in zip(row, prev, strict=True))
        elif f == 3:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(row))
        prev = row
    return width, height, rows


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium binary on PATH (install the OS package 'chromium'; .ci/run does)")


def _browser(binary: str, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--disable-extensions", "--disable-background-networking",
         f"--user-data-dir={page.parent / 'chromium-profile'}", *args, page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )


# --- the page in a browser ----------------------------------------------------------------------


def test_page_renders_and_shows_the_json_verdict_counts(tmp_path: Path) -> None:
    binary = _chromium()
    page, text = _page(tmp_path, "evaluate", "tkv_2019")
    shot = tmp_path / "tkv_2019.png"
    _browser(binary, page, f"--screenshot={shot}", "--window-size=1000,900")
    assert shot.is_file() and shot.stat().st_size > 20_000
    width, height, rows = _png(shot)
    assert (width, height) == (1000, 900)
    colours = Counter(rows[y][x : x + 3] for y in range(0, height, 25) for x in range(0, len(rows[y]), 30))
    assert len(colours) >= 8, "the screenshot is (nearly) one colour"
    white = colours[b"\xff\xff\xff"] / sum(colours.values())
    assert 0.3 < white < 0.995, f"white share {white:.2f}: blank page or no page"
    # the verdict chart's colours are on screen (it sits in the first 900 pixels)
    green, red = b"\x2e\x7d\x32", b"\xc6\x28\x28"
    pixels = {row[x : x + 3] for row in rows for x in range(0, len(row), 3)}
    assert green in pixels and red in pixels

    dom = _browser(binary, page, "--dump-dom").stdout
    shown = _read(dom)
    assert shown.scripts == 0 and not shown.fetches
    data = json.loads(text)
    expected: dict[str, Counter[str]] = {}
    for s in data["subjects"]:
        for a in s["awards"]:
            expected.setdefault(a["award"], Counter())[a["verdict"]] += 1
    table = {}
    chart = {}
    for keys, value in shown.cells:
        if keys["tag"] == "td" and "counts" in keys["in"] and keys["data-key"] != "award":
            table[(keys["data-award"], keys["data-key"])] = int(value)
        if keys["tag"] == "text" and "chart-verdicts" in keys["in"] and "data-verdict" in keys:
            chart[(keys["data-award"], keys["data-verdict"])] = int(value)
    want = {(award, v): n for award, counts in expected.items()
            for v in ("awarded", "not_awarded", "incomplete", "not_eligible") for n in [counts[v]]}
    want.update({(award, "total"): sum(counts.values()) for award, counts in expected.items()})
    assert table == want  # seed 000 (tkv_2019): 11 units and 20 people in the example
    assert chart, "the chart shows no counts"
    assert all(want[k] == n for k, n in chart.items())
    assert {k for k in want if k[1] == "total"} <= set(chart)


def test_page_prints_on_a4_landscape_pages(tmp_path: Path) -> None:
    """The print CSS (``@page { size: A4 landscape }``): Chromium's PDF of the page has
    landscape A4 pages (842 x 595 points), several of them, the summary first."""
    binary = _chromium()
    page, _ = _page(tmp_path, "evaluate", "tkv_2019")
    pdf = tmp_path / "tkv_2019.pdf"
    _browser(binary, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", data)
    assert len(boxes) >= 2
    assert all(round(float(w)) == 842 and round(float(h)) == 595 for w, h in boxes)


def test_target_values_and_figures_equal_the_json(tmp_path: Path) -> None:
    binary = _chromium()
    page, text = _page(tmp_path, "targets", "thanhhoa_2021_2030", "--as-of", "2027-12-31")
    shown = _read(_browser(binary, page, "--dump-dom").stdout)
    data = json.loads(text)
    assert shown.scripts == 0 and not shown.fetches
    table: dict[tuple[str, str], dict[str, str]] = {}
    chart: dict[tuple[str, str], dict[str, str]] = {}
    for keys, value in shown.cells:
        if "data-target" in keys and "data-key" in keys and ("target-summary" in keys["in"] or keys["tag"] == "text"):
            where = table if "target-summary" in keys["in"] else chart
            where.setdefault((keys["data-target"], keys["data-phase"]), {})[keys["data-key"]] = value
    # Thanh Hóa 004, phase II (2026-2030) judged as of 2027-12-31: every target of that phase
    assert len(table) == len(data["targets"]) > 20
    for t in data["targets"]:
        for shown_cells in (table[(t["target"], t["phase"])], chart[(t["target"], t["phase"])]):
            assert _number(shown_cells["figure"]) == round(t["target_value"], 2)
            if t["value"] is None:
                assert shown_cells["reached"] in ("", "chưa rõ")
            else:
                assert _number(shown_cells["reached"]) == round(t["value"], 2), t["target"]
        statuses = {"met": "Đạt", "not_met": "Không đạt", "pending": "Chưa đến hạn", "unknown": "Chưa rõ"}
        assert table[(t["target"], t["phase"])]["result"] == statuses[t["status"]]


def test_quota_counts_equal_the_json(tmp_path: Path) -> None:
    binary = _chromium()
    page, text = _page(tmp_path, "evaluate", "dienbien_2020")
    shown = _read(_browser(binary, page, "--dump-dom").stdout)
    quotas = {q["quota"] if "quota" in q else q["id"]: q for q in json.loads(text)["quotas"]}
    cells: dict[str, dict[str, str]] = {}
    for keys, value in shown.cells:
        if "data-quota" in keys and "data-key" in keys and keys["in"].endswith("quotas"):
            cells.setdefault(keys["data-quota"], {})[keys["data-key"]] = value
    assert set(cells) == set(quotas) and quotas  # Điện Biên 2020: the 15% quota
    for qid, q in quotas.items():
        assert int(cells[qid]["awardees"]) == q["awardees"]
        assert int(cells[qid]["qualifying"]) == q["qualifying"]
        assert _number(re.sub(r"[^0-9,.]", "", cells[qid]["bound"])) == q["required"]
        assert cells[qid]["bound"] == f"tối thiểu {q['required']:g}%"  # Điện Biên 001 L14: a minimum share


def test_cap_groups_and_ranking_equal_the_json(tmp_path: Path) -> None:
    """The acceptance campaign's cap per union (examples/ldtt_cstdcs_2025): each union's counts,
    limit and status as the browser shows them equal the JSON, and the ranked awardees appear."""
    binary = _chromium()
    page, text = _page(tmp_path, "evaluate", "ldtt_cstdcs_2025")
    shown = _read(_browser(binary, page, "--dump-dom").stdout)
    (quota,) = json.loads(text)["quotas"]
    rows: dict[str, dict[str, str]] = {}
    for keys, value in shown.cells:
        if "data-group" in keys and "data-key" in keys and keys["tag"] == "td":
            rows.setdefault(keys["data-group"], {})[keys["data-key"]] = value
    assert set(rows) == {g["label"] for g in quota["groups"]} == {"CD-A", "CD-B"}
    for g in quota["groups"]:
        shown_row = rows[g["label"]]
        assert (int(shown_row["numerator"]), int(shown_row["denominator"]), int(shown_row["limit"])) == (
            g["numerator"], g["denominator"], g["limit"])
        assert shown_row["result"] == {"met": "Đạt", "not_met": "Không đạt"}[g["status"]]
    ranked: dict[str, dict[str, str]] = {}
    for keys, value in shown.cells:
        if keys["tag"] == "td" and "outcomes" in keys["in"].split():
            ranked.setdefault(keys["data-subject"], {})[keys["data-key"]] = value
    assert {s: (r["rank"], r["group"], r["result"]) for s, r in ranked.items()} == {
        "A09": ("1", "CD-A", "Trong hạn mức"), "A08": ("2", "CD-A", "Vượt hạn mức")}
    assert {o["subject"]: o["status"] for o in quota["outcomes"]} == {
        "A09": "within_quota", "A08": "over_quota"}


def test_markup_in_facts_is_shown_as_text_in_the_browser(tmp_path: Path) -> None:
    binary = _chromium()
    page = tmp_path / "script.html"
    code, _, err = _cli("evaluate", str(ROOT / "campaigns" / "tkv_2019.yaml"), "--facts",
                        str(DATA / "script_name.yaml"), "--format", "html", "-o", str(page))
    assert code == 0, err
    dom = _browser(binary, page, "--dump-dom").stdout
    shown = _read(dom)
    assert shown.scripts == 0 and not shown.fetches  # no <script>, no <img src=x>
    assert "<script>alert(\"name\")</script><img src=x onerror=alert(1)>" in html_text(dom)


def html_text(dom: str) -> str:
    """The text a reader sees (entities decoded)."""
    parts: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append  # type: ignore[method-assign]
    parser.feed(dom)
    return "".join(parts)


# --- the HTML text (no browser needed) ----------------------------------------------------------


def test_page_is_self_contained_vietnamese_and_printable(tmp_path: Path) -> None:
    page, _ = _page(tmp_path, "evaluate", "thanhhoa_2021_2030", "--as-of", "2027-12-31")
    html = page.read_text(encoding="utf-8")
    shown = _read(html)
    assert shown.fetches == [] and shown.scripts == 0
    assert "http://" not in html and "https://" not in html and "@import" not in html
    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html
    assert "@media print" in html and "display: table-header-group" in html
    for words in ("Tổng hợp", "Kết quả", "Tiêu chí", "Chỉ tiêu", "Khiếm khuyết",
                  "Biểu đồ: kết quả theo danh hiệu", "Biểu đồ: đạt được so với chỉ tiêu"):
        assert words in html
    assert html.count("<svg") == 2  # verdicts per award, targets against their figures


def test_markup_in_facts_is_escaped(tmp_path: Path) -> None:
    page = tmp_path / "script.html"
    code, _, err = _cli("evaluate", str(ROOT / "campaigns" / "tkv_2019.yaml"), "--facts",
                        str(DATA / "script_name.yaml"), "--format", "html", "-o", str(page))
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_english_labels_on_request(tmp_path: Path) -> None:
    page, _ = _page(tmp_path, "evaluate", "tkv_2019", "--lang", "en")
    html = page.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Verdicts per award" in html and "Not awarded" in html


def test_initiatives_page(tmp_path: Path) -> None:
    page, text = _page(tmp_path, "initiatives", "vinhlinh_2022")
    shown = _read(page.read_text(encoding="utf-8"))
    counts = {k["data-key"]: int(v) for k, v in shown.cells if "initiative-counts" in k["in"]}
    register = json.loads(text)
    entries = register["initiatives"] if isinstance(register, dict) else register
    accepted = sum(1 for e in entries if e.get("accepted") or e.get("status") == "accepted")
    assert counts == {"accepted": accepted, "excluded": len(entries) - accepted}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "html"], "--format html writes a page: give --output FILE.html"),
        (["--format", "html", "-o", "report.xlsx"], "give --output FILE.html"),
        (["--format", "xlsx", "-o", "report.html"], "give --output FILE.xlsx"),
    ],
)
def test_output_must_fit_the_format(tmp_path: Path, argv: list[str], message: str) -> None:
    code, _, err = _cli("evaluate", *_example("tkv_2019"), *argv, "--lang", "en")
    assert code == 2 and message in err


def test_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    code, _, err = _cli("evaluate", *_example("tkv_2019"), "--format", "html",
                        "-o", str(tmp_path / "no" / "such" / "dir" / "r.html"), "--lang", "en")
    assert code == 2 and "cannot write" in err and "Traceback" not in err


@pytest.mark.parametrize(("value", "lang", "text"), [
    (41250.0, "vi", "41.250"), (78.5, "vi", "78,5"), (66.66666, "vi", "66,67"), (90.0, "vi", "90"),
    (1234567, "en", "1,234,567"), (0.126, "en", "0.13"), (None, "vi", ""),
])
def test_numbers_read_as_in_the_language(value: Any, lang: Any, text: str) -> None:
    assert format_number(value, lang) == text


def test_bulk_summary_page_shows_the_verdicts_of_the_rows(tmp_path: Path) -> None:
    """``evaluate --bulk --format html``: the verdicts per award of the bulk run, equal to the
    facts reader's on the same CSV (examples/tkv_2019/individuals.csv)."""
    pytest.importorskip("polars")
    facts = str(ROOT / "examples" / "tkv_2019" / "individuals.csv")
    tkv = str(ROOT / "campaigns" / "tkv_2019.yaml")
    page = tmp_path / "bulk.html"
    code, _, err = _cli("evaluate", tkv, "--bulk", "--facts", facts, "--format", "html", "-o", str(page))
    assert code == 0, err
    code, text, err = _cli("evaluate", tkv, "--facts", facts, "--format", "json")
    assert code == 0, err
    want: Counter[tuple[str, str]] = Counter()
    for s in json.loads(text)["subjects"]:
        for a in s["awards"]:
            want[(a["award"], a["verdict"])] += 1
    shown = _read(page.read_text(encoding="utf-8"))
    table = {(k["data-award"], k["data-key"]): int(v) for k, v in shown.cells
             if k["tag"] == "td" and "counts" in k["in"] and k["data-key"] not in ("total", "award")}
    assert {k: n for k, n in table.items() if n} == dict(want)
    assert shown.fetches == [] and shown.scripts == 0
    code, _, err = _cli("evaluate", tkv, "--bulk", "--facts", facts, "--format", "html", "-o", "r.csv")
    assert code == 2 and "hãy cho --output TỆP.html" in err  # Vietnamese by default
