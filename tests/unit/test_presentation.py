"""Reports that read right (issue 22, item 6): every cell of every detail table of every format
(text table, CSV, workbook, HTML page in headless Chromium) for each shipped example equals what
the JSON of the same run says, written out here on its own; and no output holds a Python repr.

The expected cells are built from the JSON (verdicts, criteria, values, citations, defects,
targets, initiatives) and the campaign's labels only, with this file's own formatter
(``_num``, ``_val``), so a presenter that shows another value, a repr, or nothing fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from emulation_rules.campaign.opening import load_campaign
from emulation_rules.cli.app import run
from emulation_rules.messages import translate_message

from ..conftest import CAMPAIGNS, EXAMPLES

EXAMPLE_IDS = sorted(p.name for p in EXAMPLES.iterdir() if (p / "facts.yaml").is_file())

VERDICT = {"awarded": "Đạt", "not_awarded": "Không đạt", "incomplete": "Thiếu dữ liệu",
           "not_eligible": "Không thuộc đối tượng"}
STATUS = {"pass": "Đạt", "fail": "Không đạt", "unknown": "Chưa rõ", "met": "Đạt", "not_met": "Không đạt",
          "pending": "Chưa đến hạn", "accepted": "Được công nhận", "excluded": "Bị loại",
          "not_yet": "Chưa đến hạn", "over_quota": "Vượt hạn mức", "tied_at_cap": "Bằng nhau tại ngưỡng"}
KIND = {"collective": "Tập thể", "individual": "Cá nhân"}

REPR = re.compile(r"<built-in|<bound method|object at 0x|\{'|\['|datetime\.date\(|mappingproxy\(|\bNone\b")
"""What a Python repr looks like inside text people read (and ``None`` where a value is shown)."""


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _vi(message: str) -> str:
    """A message of the JSON (English) as the Vietnamese catalogue gives it."""
    return translate_message(message) or message


def _num(x: float | int | None, digits: int = 2) -> str:
    """A number as a Vietnamese reader writes it: 1.234,5."""
    if x is None:
        return ""
    text = f"{x:,.{digits}f}".rstrip("0").rstrip(".") if isinstance(x, float) else f"{x:,d}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


# --- the expected cells, from the JSON and the campaign's labels --------------------------------


class Expect:
    """The rows every format must show for one example, written from its JSON."""

    def __init__(self, campaign_id: str, data: dict[str, Any]) -> None:
        self.c = load_campaign(CAMPAIGNS / f"{campaign_id}.yaml")
        self.data = data
        self.levels = {lv.id: lv.label.vi for lv in (*self.c.subjects.collective_levels,
                                                       *self.c.subjects.individual_roles)}
        quota_awards = {q.id: q.awards for q in self.c.quotas}
        self.placed = {(o["subject"], award): o["status"] for q in data["quotas"] for o in q.get("outcomes", ())
                       if o["status"] != "within_quota" for award in quota_awards[q["quota"]]}

    def fact(self, fact_id: str) -> str:
        try:
            return self.c.fact(fact_id).label.vi
        except KeyError:
            return fact_id

    def val(self, fact_id: str, v: Any) -> str:
        try:
            decl = self.c.fact(fact_id)
        except KeyError:
            decl = None
        if isinstance(v, bool):
            return "có" if v else "không"
        if isinstance(v, (int, float)):
            return _num(v, 4)
        if isinstance(v, str) and decl is not None:
            if decl.type == "date":
                return f"{dt.date.fromisoformat(v):%d/%m/%Y}"
            return next((e.label.vi for e in decl.values if e.id == v), v)
        if isinstance(v, list):
            return ", ".join(self.val(fact_id, x) for x in v)
        return str(v)

    def level(self, s: dict[str, Any]) -> str:
        key = s["level"] or s["role"] or ""
        return self.levels.get(key, key)

    def why(self, a: dict[str, Any]) -> str:
        missing = ", ".join(self.fact(f) for f in a["missing_facts"])
        if a["verdict"] == "not_eligible":
            return _vi(a["reason"] or "")
        if a["verdict"] == "not_awarded":
            text = "không đạt: " + "; ".join(c["label"]["vi"] for c in a["criteria"] if c["status"] == "fail")
            return text + (f"; thiếu: {missing}" if missing else "")
        if a["verdict"] == "incomplete":
            if a["reason"] and not a["missing_facts"]:
                return _vi(a["reason"])
            undecided = [c["label"]["vi"] for c in a["criteria"] if c["status"] == "unknown"]
            return f"chưa xét được: {'; '.join(undecided)} (thiếu: {missing})" if undecided else f"thiếu: {missing}"
        text = "đạt mọi tiêu chí"
        if a["points"] is not None:
            text += f"; {_num(a['points'])}/{_num(a['max_points'])} điểm" + (f", hạng {a['band']}" if a["band"] else "")
        return text

    def award_columns(self) -> list[str]:
        present = {a["award"] for s in self.data["subjects"] for a in s["awards"]}
        return [a.id for a in self.c.awards if a.id in present]

    def subjects(self) -> list[list[str]]:
        rows = []
        for s in self.data["subjects"]:
            mine = {a["award"]: a for a in s["awards"]}
            cells = [s["id"], s["name"] or "", self.level(s)]
            for award in self.award_columns():
                a = mine.get(award)
                outcome = self.placed.get((s["id"], award))
                cells.append("" if a is None else VERDICT[a["verdict"]]
                             + (f" ({STATUS[outcome].lower()})" if outcome else ""))
            rows.append(cells)
        return rows

    def details(self) -> list[list[str]]:
        rows = []
        for s in self.data["subjects"]:
            for a in s["awards"]:
                outcome = self.placed.get((s["id"], a["award"]))
                rows.append([
                    s["id"], s["name"] or "", KIND[s["kind"]], self.level(s), a["label"]["vi"], VERDICT[a["verdict"]],
                    STATUS[outcome] if outcome else "",
                    "" if a["points"] is None else f"{_num(a['points'])}/{_num(a['max_points'])}",
                    a["band"] or "",
                    "; ".join(c["label"]["vi"] for c in a["criteria"] if c["status"] == "fail"),
                    "; ".join(self.fact(f) for f in a["missing_facts"]),
                    self.why(a),
                ])
        return rows

    def criteria(self) -> list[list[str]]:
        texts = {(a.id, c.id): c.text_vi for a in self.c.awards for c in a.criteria}
        return [[s["id"], a["label"]["vi"], c["label"]["vi"], STATUS[c["status"]], c["threshold"],
                 "; ".join(f"{self.fact(k)} = {self.val(k, v)}" for k, v in c["values"].items()),
                 "; ".join(self.fact(f) for f in c["missing"]), c["source"]["cite"],
                 texts.get((a["award"], c["criterion"]), "")]
                for s in self.data["subjects"] for a in s["awards"] for c in a["criteria"]]

    def defects(self) -> list[list[str]]:
        return [[d["id"], d["cite"], d["text"], d["resolution"]] for d in self.data["defects"]]

    def phase(self, phase_id: str) -> str:
        return next((p.label.vi for p in self.c.phases if p.id == phase_id), phase_id)

    def targets(self, targets: list[dict[str, Any]]) -> list[list[str]]:
        return [[t["label"]["vi"], self.phase(t["phase"]), _num(t["value"]), t["op"], _num(t["target_value"]),
                 t["unit"] or "", "" if t["ratio"] is None else _num(t["ratio"] * 100, 1) + " %",
                 STATUS[t["status"]], _vi(t["reason"] or ""), t["source"], t["text_vi"]] for t in targets]

    def initiatives(self, entries: list[dict[str, Any]]) -> list[list[str]]:
        prog = self.c.initiatives
        assert prog is not None
        labels = {ch.id: ch.label.vi for ch in prog.checks}
        return [[e["id"], e["title"] or "", STATUS[e["status"]],
                 "; ".join(f"{labels.get(ch['check'], ch['check'])}: {_vi(ch['detail'])} ({ch['source']})"
                           for ch in e["checks"] if not ch["passed"]),
                 ", ".join(e["credited"]), _vi(e["attribution"])] for e in entries]


# --- readers of each format -------------------------------------------------------------------


def text_table(text: str) -> list[list[str]]:
    """The rows of the evaluate table (columns found under the dashes line)."""
    lines = text.splitlines()
    dash = next(i for i, line in enumerate(lines) if line.startswith("---"))
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[dash])]
    rows = []
    for line in lines[dash + 1:]:
        if not line.strip():
            break
        starts = [s for s, _ in spans] + [len(line) + 1]
        rows.append([line[starts[i]:starts[i + 1]].strip() for i in range(len(spans))])
    return rows


def sheet(wb: Any, name: str) -> list[list[Any]]:
    return [list(r) for r in wb[name].iter_rows(min_row=2, values_only=True)]


def as_text(value: Any) -> str:
    """A workbook cell as the reader sees it (numbers in Vietnamese writing)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _num(value, 4)
    return str(value)


class Tables(HTMLParser):
    """Every table of a page by id: rows of cell texts; a table inside a row's <details> is
    listed in ``nested``, each row led by the subject of the row it sits in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.nested: list[list[str]] = []
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.rows: list[list[str]] = []  # the open row of each open table
        self.cells: list[list[str]] = []  # the text of each open cell, innermost last

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("meta", "br", "rect", "link"):
            return
        self.stack.append((tag, a))
        if tag == "tr":
            row: list[str] = []
            table = next(x for t, x in reversed(self.stack) if t == "table")
            if "detail" in table.get("class", ""):
                row.append(next(x["data-subject"] for _, x in reversed(self.stack) if "data-subject" in x))
                self.nested.append(row)
            else:
                self.tables.setdefault(table.get("id", "?"), []).append(row)
            self.rows.append(row)
        elif tag == "td":
            self.cells.append([])

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            t, _ = self.stack.pop()
            if t == "td":
                self.rows[-1].append("".join(self.cells.pop()).strip())
            elif t == "tr":
                self.rows.pop()
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.cells:
            self.cells[-1].append(data)


def chromium_tables(page: Path) -> Tables:
    binary = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
                  None)
    if binary is None:
        pytest.skip("no Chromium binary on PATH (install the OS package 'chromium'; .ci/run does)")
    dom = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--disable-background-networking", f"--user-data-dir={page.parent / 'chromium-profile'}",
         "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    parser = Tables()
    parser.feed(dom)
    parser.close()
    return parser


def body(rows: list[list[str]]) -> list[list[str]]:
    """Rows without the header row (a page's header cells are <th>, so its first row is empty)."""
    return [r for r in rows if r]


# --- one run per example, every format ----------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for ex in EXAMPLE_IDS:
        d = tmp_path_factory.mktemp(ex)
        argv = ("evaluate", str(CAMPAIGNS / f"{ex}.yaml"), "--facts", str(EXAMPLES / ex / "facts.yaml"),
                "--backend", "python")  # the presenters are the same whatever backend judged
        got: dict[str, Any] = {}
        for fmt in ("table", "csv", "json"):
            code, got[fmt], err = cli(*argv, "--format", fmt)
            assert code == 0, err
        for fmt in ("xlsx", "html"):
            got[fmt] = d / f"report.{fmt}"
            code, _, err = cli(*argv, "--format", fmt, "-o", str(got[fmt]))
            assert code == 0, err
        out[ex] = got
    return out


@pytest.mark.parametrize("example", EXAMPLE_IDS)
def test_no_output_holds_a_python_repr(runs: dict[str, dict[str, Any]], example: str) -> None:
    got = runs[example]
    for fmt in ("table", "csv"):
        assert not REPR.search(got[fmt]), (fmt, REPR.search(got[fmt]))

    def strings(x: Any) -> list[str]:
        if isinstance(x, dict):
            return [s for v in x.values() for s in strings(v)]
        if isinstance(x, list):
            return [s for v in x for s in strings(v)]
        return [x] if isinstance(x, str) else []

    bad = [s for s in strings(json.loads(got["json"])) if REPR.search(s)]
    assert not bad
    wb = openpyxl.load_workbook(got["xlsx"])
    cells = [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and REPR.search(c.value)]
    assert not cells
    html = got["html"].read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    assert not REPR.search(text), REPR.search(text)


@pytest.mark.parametrize("example", EXAMPLE_IDS)
def test_every_cell_of_every_detail_table_equals_the_json(runs: dict[str, dict[str, Any]], example: str) -> None:
    got = runs[example]
    x = Expect(example, json.loads(got["json"]))
    subjects, details, criteria, defects = x.subjects(), x.details(), x.criteria(), x.defects()
    # the text table: id, name, level, award, verdict (with the quota outcome), why
    table = text_table(got["table"])
    assert table == [[r[0], r[1], r[3], r[4], r[5] + (f" ({r[6]})" if r[6] else ""), r[11]] for r in details]
    # CSV: codes and ids, every column
    rows = list(csv.DictReader(io.StringIO(got["csv"])))
    assert [list(r.values()) for r in rows] == [
        [s["id"], s["kind"], s["level"] or s["role"] or "", s["name"] or "", a["award"], a["verdict"],
         "" if a["points"] is None else f"{a['points']:g}", a["band"] or "",
         ";".join(c["criterion"] for c in a["criteria"] if c["status"] == "fail"), ";".join(a["missing_facts"])]
        for s in x.data["subjects"] for a in s["awards"]]
    # the workbook, read back: every cell of the verdicts, details, criteria and defects sheets
    wb = openpyxl.load_workbook(got["xlsx"])
    head = [c.value for c in wb["Kết quả"][1]]
    assert head == ["Mã", "Tên", "Cấp / vai trò", *(x.c.award(a).label.vi for a in x.award_columns())]
    assert [[as_text(v) for v in r] for r in sheet(wb, "Kết quả")] == subjects
    points = [a["points"] for s in x.data["subjects"] for a in s["awards"]]
    book = sheet(wb, "Chi tiết")
    assert [r[7] for r in book] == points  # points stay numbers
    assert [[as_text(v) for v in r[:7]] + [r[7] and d[7]] + [as_text(v) for v in r[8:]]
            for r, d in zip(book, details, strict=True)] == [[*d[:7], d[7] or None, *d[8:]] for d in details]
    assert [[as_text(v) for v in r] for r in sheet(wb, "Tiêu chí")] == criteria
    assert [[as_text(v) for v in r] for r in sheet(wb, "Khiếm khuyết")] == defects
    # the page, as headless Chromium builds it
    page = chromium_tables(got["html"])
    shown = body(page.tables["subjects"])
    assert [r[:-1] for r in shown] == subjects  # the last cell holds the details
    assert [r for r in page.nested if len(r) > 1] == [[r[0], *r[4:]] for r in details]  # each subject's details, on expand
    assert body(page.tables.get("criteria", [])) == criteria
    assert body(page.tables.get("defects", [])) == defects


def test_targets_and_initiatives_tables_equal_the_json(tmp_path: Path) -> None:
    th, vl = "thanhhoa_2021_2030", "vinhlinh_2022"
    for command, ex, key, extra in (("targets", th, "targets", ("--as-of", "2027-12-31")),
                                    ("initiatives", vl, "initiatives", ())):
        argv = (command, str(CAMPAIGNS / f"{ex}.yaml"), "--facts", str(EXAMPLES / ex / "facts.yaml"), *extra)
        code, text, err = cli(*argv, "--format", "json")
        assert code == 0, err
        entries = json.loads(text)[key]
        x = Expect(ex, {"subjects": [], "quotas": []})
        want = x.targets(entries) if key == "targets" else x.initiatives(entries)
        assert want
        book, page = tmp_path / f"{key}.xlsx", tmp_path / f"{key}.html"
        for target in (book, page):
            code, _, err = cli(*argv, "--format", target.suffix[1:], "-o", str(target))
            assert code == 0, err
        rows = sheet(openpyxl.load_workbook(book), "Chỉ tiêu" if key == "targets" else "Sáng kiến")
        if key == "targets":  # numbers stay numbers: value, figure and ratio as the JSON has them
            assert [(r[2], r[4], r[6]) for r in rows] == [
                (t["value"], t["target_value"], None if t["ratio"] is None else round(t["ratio"], 4)) for t in entries]
            rows = [[*r[:2], _num(r[2]), r[3], _num(r[4]), r[5], w[6], *r[7:]] for r, w in zip(rows, want, strict=True)]
        assert [[as_text(v) if not isinstance(v, str) else v for v in r] for r in rows] == want
        assert body(chromium_tables(page).tables[key]) == want


def test_a_blank_form_says_so(tmp_path: Path) -> None:
    """A submission naming no subject (the generated form, never filled in) is said to be blank in
    the table, on stderr, in the workbook and on the page; the run still succeeds (exit 0)."""
    tkv = str(CAMPAIGNS / "tkv_2019.yaml")
    form = tmp_path / "form.xlsx"
    code, _, err = cli("form", tkv, "-o", str(form), "--rows", "5")
    assert code == 0, err
    code, out, err = cli("evaluate", tkv, "--facts", str(form))
    assert code == 0
    said = "Tệp dữ liệu không có đối tượng nào: biểu mẫu còn trống hoặc chưa điền"
    assert said in out and said in err and "0 đối tượng" in out
    code, out, err = cli("evaluate", tkv, "--facts", str(form), "--lang", "en")
    assert "The facts name no subject: the form is blank or not filled in" in out
    for fmt in ("xlsx", "html"):
        target = tmp_path / f"r.{fmt}"
        code, _, err = cli("evaluate", tkv, "--facts", str(form), "--format", fmt, "-o", str(target))
        assert code == 0, err
        if fmt == "xlsx":
            assert said in [c.value for c in openpyxl.load_workbook(target)["Tổng hợp"]["A"]][5]
        else:
            assert said in target.read_text(encoding="utf-8")


def test_every_label_has_both_languages() -> None:
    from emulation_rules.results.words import STATUS as S
    from emulation_rules.results.words import VERDICTS as V
    from emulation_rules.results.words import WORDS as W

    for table in (S, V, W):
        for key, (vi, en) in table.items():
            assert vi.strip() and en.strip() and vi != key, key
