"""Spreadsheets: submission forms generated from a campaign, read back as facts (.xlsx).

The round trip fills each generated form with openpyxl from ``examples/<id>/facts.yaml`` (the
way a union office fills it: labels from the drop-downs, dates and yes/no typed by Excel or as
text) and checks the evaluation equals the one from the YAML facts. Expected values are the
examples' own (each example file cites its seed lines), e.g. TKV 2019: 9 CĐCS and 20 members
(examples/tkv_2019/facts.yaml; seed 000_40cc82fbe8059212.txt L96-110).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("python_calamine")

from emulation_rules.authoring.forms import write_form  # noqa: E402
from emulation_rules.campaign.opening import load_campaign  # noqa: E402
from emulation_rules.campaign.safe_yaml import parse_yaml  # noqa: E402
from emulation_rules.cli.app import run  # noqa: E402
from emulation_rules.engine import Engine  # noqa: E402
from emulation_rules.errors import FactsError, SourceLocation  # noqa: E402
from emulation_rules.facts.load import load_facts  # noqa: E402
from emulation_rules.facts.xlsx import format_authors, parse_authors  # noqa: E402
from emulation_rules.results.targets import evaluate_targets, render_targets_json  # noqa: E402

from ..conftest import CAMPAIGNS, EXAMPLES  # noqa: E402

CAMPAIGN_IDS = sorted(p.stem for p in CAMPAIGNS.glob("*.yaml"))


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _keys(ws: Any) -> dict[str, int]:
    """key -> 1-based column, from the form's hidden key row (row 2)."""
    return {c.value: c.column for c in ws[2] if c.value}


def _label(decl_values: Any, value_id: str) -> str:
    """The drop-down label of a value id (a value the example already gives as a label stays)."""
    return next((v.label.vi for v in decl_values if v.id == value_id), value_id)


def _cell_value(campaign: Any, fact_type: str, values: Any, value: Any, typed: bool) -> Any:
    """What a person types or picks: labels for enums; yes/no and dates typed by Excel
    (``typed``) or as text ("Có", "15/6/2019")."""
    if fact_type == "bool":
        return value if typed else ("Có" if value else "Không")
    if fact_type in ("enum", "ordered_enum"):
        return _label(values, value)
    if fact_type == "date":
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return day if typed else f"{day.day}/{day.month}/{day.year}"
    return value


def fill_form(form: Path, campaign: Any, data: dict[str, Any]) -> Path:
    """Fill a generated form from YAML facts data, the way a union office would."""
    wb = openpyxl.load_workbook(form)
    facts = {f.id: f for f in campaign.facts}
    sheets = {next(iter(_keys(ws)), None): ws for ws in wb.worksheets}
    help_ws = wb["Hướng dẫn"]
    for row in help_ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == "@as_of" and data.get("as_of"):
            help_ws.cell(row[0].row, 3, data["as_of"])
    next_row: dict[str, int] = {}
    record_sheets = {}
    for ws in wb.worksheets:
        keys = _keys(ws)
        if "@subject" in keys:
            fact_id = next(k for k in keys if "." in k).split(".")[0]
            record_sheets[fact_id] = ws
    levels = {lv.id: lv.label.vi for lv in campaign.subjects.collective_levels}
    roles = {r.id: r.label.vi for r in campaign.subjects.individual_roles}
    for n, subject in enumerate(data["subjects"]):
        typed = n % 2 == 0
        ws = sheets[f"@kind={subject['kind']}"]
        keys = _keys(ws)
        row = next_row.get(ws.title, 3)
        next_row[ws.title] = row + 1
        ws.cell(row, 1, n + 1)
        for key in ("id", "name", "unit"):
            if subject.get(key) is not None:
                ws.cell(row, keys[key], subject[key])
        if subject.get("level"):
            ws.cell(row, keys["level"], levels[subject["level"]])
        if subject.get("role"):
            ws.cell(row, keys["role"], roles[subject["role"]])
        for fact_id, value in (subject.get("facts") or {}).items():
            decl = facts[fact_id]
            if value is None:
                continue
            if decl.type == "records":
                ws.cell(row, keys[fact_id], len(value))  # 0 = a known empty list
                rws = record_sheets[fact_id]
                rkeys = _keys(rws)
                for rec in value:
                    r = next_row.get(rws.title, 3)
                    next_row[rws.title] = r + 1
                    rws.cell(r, rkeys["@subject"], subject["id"])
                    fields = {f.id: f for f in decl.fields}
                    for field, v in rec.items():
                        rws.cell(
                            r,
                            rkeys[f"{fact_id}.{field}"],
                            _cell_value(
                                campaign, fields[field].type, fields[field].values, v, typed
                            ),
                        )
                continue
            ws.cell(row, keys[fact_id], _cell_value(campaign, decl.type, decl.values, value, typed))
    if any("history" in s for s in data["subjects"]):  # titles and ratings held, one per row
        hs = wb["Danh hiệu đã đạt"]
        hkeys = _keys(hs)
        row = 3
        for subject in data["subjects"]:
            for entry in subject.get("history", ()) or ([{}] if "history" in subject else ()):
                hs.cell(row, hkeys["@history.subject"], subject["id"])  # no entry: an empty history
                for key, value in entry.items():
                    hs.cell(row, hkeys[f"@history.{key}"], value)
                row += 1
    if data.get("initiatives"):
        from emulation_rules.facts.initiatives import register_fields

        fields = register_fields(campaign.initiatives)
        ws = wb["Sổ đăng ký sáng kiến"]
        keys = _keys(ws)
        for n, entry in enumerate(data["initiatives"]):
            row = 3 + n
            for key, value in entry.items():
                col = keys[f"@initiatives.{key}"]
                if key == "authors":
                    value = format_authors(value)
                elif key in fields and fields[key].type != "text":
                    value = _cell_value(
                        campaign, fields[key].type, fields[key].values, value, n % 2 == 0
                    )
                ws.cell(row, col, value)
    out = form.with_name(form.stem + "-filled.xlsx")
    wb.save(out)
    return out


def _verdicts(evaluation: Any) -> dict[str, Any]:
    data = evaluation.to_dict()
    return {
        s["id"]: [(a["award"], a["verdict"], a.get("points")) for a in s["awards"]]
        for s in data["subjects"]
    }


@pytest.mark.parametrize("cid", CAMPAIGN_IDS)
def test_round_trip_form_filled_from_example_gives_same_evaluation(cid, tmp_path):
    campaign = load_campaign(CAMPAIGNS / f"{cid}.yaml")
    example = EXAMPLES / cid / "facts.yaml"
    data, _ = parse_yaml(example.read_text(encoding="utf-8"), file=str(example))
    form = write_form(campaign, tmp_path / "form.xlsx")
    filled = fill_form(form, campaign, data)

    from_yaml = load_facts(example, campaign)
    from_xlsx = load_facts(filled, campaign)
    assert [s.id for s in from_xlsx.subjects] == [s.id for s in from_yaml.subjects]
    assert from_xlsx.as_of == from_yaml.as_of
    assert [dict(s.facts) for s in from_xlsx.subjects] == [
        dict(s.facts) for s in from_yaml.subjects
    ]
    engine = Engine(campaign, backend="python")
    assert _verdicts(engine.evaluate(from_xlsx)) == _verdicts(engine.evaluate(from_yaml))
    if campaign.targets:
        assert render_targets_json(evaluate_targets(campaign, from_xlsx)) == render_targets_json(
            evaluate_targets(campaign, from_yaml)
        )
    if from_yaml.initiatives is not None:
        assert [a.to_dict() for a in from_xlsx.initiatives] == [
            a.to_dict() for a in from_yaml.initiatives
        ]


def test_tkv_form_gives_example_verdicts_through_the_cli(tmp_path):
    """TKV 2019: 9 CĐCS and 20 members; the CLI's JSON from the filled form equals the YAML's."""
    tkv = CAMPAIGNS / "tkv_2019.yaml"
    campaign = load_campaign(tkv)
    example = EXAMPLES / "tkv_2019" / "facts.yaml"
    data, _ = parse_yaml(example.read_text(encoding="utf-8"), file=str(example))
    code, _, err = cli("form", str(tkv), "-o", str(tmp_path / "form.xlsx"))
    assert code == 0, err
    filled = fill_form(tmp_path / "form.xlsx", campaign, data)
    code, from_xlsx, err = cli("evaluate", str(tkv), "--facts", str(filled), "--format", "json")
    assert code == 0, err
    _, from_yaml, _ = cli("evaluate", str(tkv), "--facts", str(example), "--format", "json")
    got = json.loads(from_xlsx)
    assert got == json.loads(from_yaml)
    kinds = [s["kind"] for s in got["subjects"]]
    assert kinds.count("collective") >= 9 and kinds.count("individual") == 20


def _tkv_form(tmp_path: Path) -> tuple[Any, Path]:
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    return campaign, write_form(campaign, tmp_path / "form.xlsx")


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
def test_form_layout_headers_keys_dropdowns_and_frozen_panes(tmp_path):
    _, form = _tkv_form(tmp_path)
    wb = openpyxl.load_workbook(form)
    assert wb.sheetnames[:3] == ["Hướng dẫn", "Tập thể", "Cá nhân"]
    assert "Sổ vàng sáng kiến" in wb.sheetnames  # the Golden Book (seed 000 L71)
    assert wb["Danh mục"].sheet_state == "hidden"
    ws = wb["Tập thể"]
    keys = _keys(ws)
    assert ws.row_dimensions[2].hidden and ws.freeze_panes == "C3"
    rating = keys["union_rating"]
    assert ws.cell(1, rating).value == "Xếp loại công đoàn cơ sở"
    assert ws.cell(1, keys["id"]).value.endswith("*")
    lists = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter(rating)
    dv = lists[f"{letter}3:{letter}502"]
    assert dv.type == "list"
    ref = dv.formula1.lstrip("=")
    sheet, cells = ref.split("!")
    values = [c.value for row in wb[sheet.strip("'")][cells.replace("$", "")] for c in row]
    # the legacy union scale, lowest first (campaigns/tkv_2019.yaml, defect d09)
    assert values == ["Yếu", "Trung bình", "Khá", "Vững mạnh", "Vững mạnh xuất sắc"]
    help_ws = wb["Hướng dẫn"]
    text = "\n".join(str(c.value) for row in help_ws.iter_rows() for c in row if c.value)
    assert "Kế hoạch 115/KH-CĐTKV (dòng 102)" in text  # union_rating is declared at seed L102
    assert "Ngày xét" in text


def test_form_kind_and_level_options(tmp_path):
    code, _, err = cli(
        "form",
        str(CAMPAIGNS / "tkv_2019.yaml"),
        "--kind",
        "individual",
        "-o",
        str(tmp_path / "f.xlsx"),
    )
    assert code == 0, err
    names = openpyxl.load_workbook(tmp_path / "f.xlsx").sheetnames
    assert "Cá nhân" in names and "Tập thể" not in names and "Sổ vàng sáng kiến" not in names
    code, _, err = cli(
        "form",
        str(CAMPAIGNS / "tkv_2019.yaml"),
        "--level",
        "grassroots_union",
        "-o",
        str(tmp_path / "g.xlsx"),
    )
    assert code == 0, err
    lists = openpyxl.load_workbook(tmp_path / "g.xlsx")["Danh mục"]
    assert [c.value for c in lists["B"] if c.value] == ["Cấp đơn vị", "Công đoàn cơ sở"]
    code, _, err = cli(
        "form", str(CAMPAIGNS / "tkv_2019.yaml"), "--level", "nope", "-o", str(tmp_path / "h.xlsx"), "--lang", "en"
    )
    assert code == 2 and "unknown level" in err


def _one_sheet_workbook(path: Path, rows: list[list[Any]], title: str = "Data") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_plain_table_with_one_key_row_reads_excel_and_text_typed_cells(tmp_path):
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    path = _one_sheet_workbook(
        tmp_path / "plain.xlsx",
        [
            ["id", "kind", "role", "member_rating", "complies_with_policy"],
            ["NV-1", "individual", "member", "Khá", True],
            ["NV-2", "individual", "Đoàn viên công đoàn", "fair", "có"],
            [12, "individual", "member", "excellent", "không"],
        ],
    )
    sub = load_facts(path, campaign)
    assert [s.id for s in sub.subjects] == ["NV-1", "NV-2", "12"]
    assert [s.role for s in sub.subjects] == ["member"] * 3
    assert [dict(s.facts) for s in sub.subjects] == [
        {"member_rating": "fair", "complies_with_policy": True},
        {"member_rating": "fair", "complies_with_policy": True},
        {"member_rating": "excellent", "complies_with_policy": False},
    ]


def test_dates_as_serials_datetimes_and_text_read_the_same(tmp_path):
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "kind", "role"])
    ws.append(["NV-1", "individual", "member"])
    rec = wb.create_sheet("Đề tài")
    rec.append(
        [
            "@subject",
            "initiatives.title",
            "initiatives.accepted_by",
            "initiatives.accepted_on",
            "initiatives.applied",
            "initiatives.high_effect",
        ]
    )
    # 15/6/2019 (seed 000 L3 dates the plan 2019): as Excel serial 43631, as a date, as text
    rec.append(["NV-1", "A", "Hội đồng sáng kiến", 43631, True, True])
    rec.append(["NV-1", "B", "initiative_council", dt.datetime(2019, 6, 15), "có", "không"])
    rec.append(["NV-1", "C", "Hội đồng khoa học", "15/6/2019", "Có", "Có"])
    wb.save(tmp_path / "d.xlsx")
    sub = load_facts(tmp_path / "d.xlsx", campaign)
    records = sub.subjects[0].facts["initiatives"]
    assert [r["accepted_on"] for r in records] == [dt.date(2019, 6, 15)] * 3
    assert [r["accepted_by"] for r in records] == [
        "initiative_council",
        "initiative_council",
        "science_council",
    ]


def test_errors_are_located_as_sheet_and_cell(tmp_path):
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    path = _one_sheet_workbook(
        tmp_path / "bad.xlsx",
        [
            ["Mã", "Loại", "Vai trò", "Xếp loại"],
            ["id", "kind", "role", "member_rating"],
            ["NV-1", "individual", "member", "fair"],
            ["NV-2", "individual", "member", "tốt lắm"],
        ],
        title="Cá nhân",
    )
    with pytest.raises(FactsError) as info:
        load_facts(path, campaign)
    (problem,) = info.value.problems
    assert problem.location == SourceLocation(str(path), 4, 4, "Cá nhân")
    assert str(problem).startswith(f"{path}:Cá nhân!D4: subjects[1].facts.member_rating: ")
    assert problem.code == "invalid-value"
    code, _, err = cli("evaluate", str(CAMPAIGNS / "tkv_2019.yaml"), "--facts", str(path))
    assert code == 2 and f"{path}:Cá nhân!D4:" in err and "Traceback" not in err


def test_unknown_key_and_orphan_record_are_located(tmp_path):
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    path = _one_sheet_workbook(tmp_path / "u.xlsx", [["id", "kind", "role", "member_ratng"]])
    with pytest.raises(FactsError) as info:
        load_facts(path, campaign)
    assert info.value.problems[0].code == "unknown-column"
    assert "member_rating" in (info.value.problems[0].hint or "")
    assert str(info.value.problems[0].location).endswith("u.xlsx:Data!D1")
    wb = openpyxl.Workbook()
    wb.active.append(["id", "kind", "role"])
    wb.active.append(["NV-1", "individual", "member"])
    wb.create_sheet("R").append(["@subject", "initiatives.title"])
    wb["R"].append(["NV-9", "x"])
    wb.save(tmp_path / "o.xlsx")
    with pytest.raises(FactsError) as info:
        load_facts(tmp_path / "o.xlsx", campaign)
    assert info.value.problems[0].code == "unknown-subject"
    assert str(info.value.problems[0].location).endswith("o.xlsx:R!2")


def test_not_a_workbook_is_a_located_problem(tmp_path):
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"id,kind\n")
    with pytest.raises(FactsError) as info:
        load_facts(path, campaign)
    assert info.value.problems[0].code == "unreadable"
    code, _, err = cli("evaluate", str(CAMPAIGNS / "tkv_2019.yaml"), "--facts", str(path))
    assert code == 2 and "Traceback" not in err


def test_authors_text():
    assert parse_authors("P01: 60; P02: 40") == [
        {"person": "P01", "share": 60.0},
        {"person": "P02", "share": 40.0},
    ]
    assert parse_authors("P01 (60%); P02 (40%)") == [
        {"person": "P01", "share": 60.0},
        {"person": "P02", "share": 40.0},
    ]
    assert parse_authors("P01") == [{"person": "P01"}]
    assert (
        format_authors([{"person": "P01", "share": 60}, {"person": "P02", "share": 40}])
        == "P01: 60; P02: 40"
    )


def test_record_count_zero_is_known_empty_and_a_mismatch_is_refused(tmp_path):
    """TKV L106: an individual needs an accepted initiative; 0 on the subject sheet says "none"
    (a known empty list), a blank says "not known", and a count that disagrees with the rows
    on the records sheet is refused at the count cell."""
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cá nhân"
    ws.append(["id", "kind", "role", "initiatives"])
    ws.append(["NV-1", "individual", "member", 0])
    ws.append(["NV-2", "individual", "member", None])
    ws.append(["NV-3", "individual", "member", 2])
    rec = wb.create_sheet("Đề tài")
    rec.append(
        [
            "@subject",
            "initiatives.title",
            "initiatives.accepted_by",
            "initiatives.applied",
            "initiatives.high_effect",
        ]
    )
    rec.append(["NV-3", "A", "Hội đồng sáng kiến", "Có", "Có"])
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(FactsError) as info:
        load_facts(tmp_path / "c.xlsx", campaign)
    (problem,) = info.value.problems
    assert problem.code == "record-count"
    assert str(problem.location).endswith("c.xlsx:Cá nhân!D4")
    ws["D4"] = 1
    wb.save(tmp_path / "c.xlsx")
    facts = [dict(s.facts) for s in load_facts(tmp_path / "c.xlsx", campaign).subjects]
    assert facts[0] == {"initiatives": ()} and facts[1] == {}
    assert len(facts[2]["initiatives"]) == 1


# --- result workbooks and formula-looking text ------------------------------------------------

INJECTION = '=HYPERLINK("http://example.invalid","x")'


def _facts_with_formula_name(tmp_path: Path) -> Path:
    text = (EXAMPLES / "tkv_2019" / "facts.yaml").read_text(encoding="utf-8")
    text = text.replace("name: Nguyễn Văn Hùng", f"name: '{INJECTION}'", 1)
    assert INJECTION in text
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_writes_formula_looking_text_as_text(tmp_path):
    facts = _facts_with_formula_name(tmp_path)
    code, out, err = cli(
        "evaluate", str(CAMPAIGNS / "tkv_2019.yaml"), "--facts", str(facts), "--format", "csv"
    )
    assert code == 0, err
    import csv

    names = {row["subject_id"]: row["name"] for row in csv.DictReader(io.StringIO(out))}
    assert names["NV-001"] == "'" + INJECTION
    assert names["CD-HALAM"] == "Công đoàn Công ty Than Hà Lầm - TKV"  # plain text unchanged


def test_evaluate_workbook_summary_verdicts_criteria_defects(tmp_path):
    """TKV 2019 example (examples/tkv_2019/facts.yaml): the workbook's counts equal the JSON's,
    verdicts are in Vietnamese with their colours, criteria cite the plan, and the campaign's
    defects are listed; a formula-looking name is stored as text."""
    tkv = CAMPAIGNS / "tkv_2019.yaml"
    facts = _facts_with_formula_name(tmp_path)
    target = tmp_path / "results.xlsx"
    code, _, err = cli(
        "evaluate", str(tkv), "--facts", str(facts), "--format", "xlsx", "-o", str(target)
    )
    assert code == 0, err
    _, js, _ = cli("evaluate", str(tkv), "--facts", str(facts), "--format", "json")
    data = json.loads(js)
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["Tổng hợp", "Kết quả", "Chi tiết", "Tiêu chí", "Khiếm khuyết"]
    summary = [[c.value for c in row] for row in wb["Tổng hợp"].iter_rows()]
    header = next(i for i, r in enumerate(summary) if r[0] == "Danh hiệu / hình thức")
    campaign = load_campaign(tkv)
    verdicts = ["awarded", "not_awarded", "incomplete", "not_eligible"]
    for row in summary[header + 1 : header + 1 + len(campaign.awards)]:
        award = next(a for a in campaign.awards if a.label.vi == row[0])
        got = [
            a["verdict"] for s in data["subjects"] for a in s["awards"] if a["award"] == award.id
        ]
        assert row[1:6] == [got.count(v) for v in verdicts] + [len(got)]
    assert wb["Kết quả"].max_row - 1 == len(data["subjects"])  # one row per subject
    ws = wb["Chi tiết"]  # one row per subject and award
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == sum(len(s["awards"]) for s in data["subjects"])
    colours = {
        "Đạt": "C6EFCE",
        "Không đạt": "FFC7CE",
        "Thiếu dữ liệu": "FFEB9C",
        "Không thuộc đối tượng": "E7E6E6",
    }
    for row in rows:
        assert row[5].fill.fgColor.rgb.endswith(colours[row[5].value])
    hung = next(r for r in wb["Kết quả"].iter_rows(min_row=2) if r[0].value == "NV-001")
    assert hung[1].value == INJECTION and hung[1].data_type == "s" and hung[1].quotePrefix
    crit = [[c.value for c in r] for r in wb["Tiêu chí"].iter_rows(min_row=2)]
    assert all("Kế hoạch 115/KH-CĐTKV" in r[7] and "(dòng " in r[7] for r in crit)
    defects = [r[0].value for r in wb["Khiếm khuyết"].iter_rows(min_row=2)]
    assert defects == [d.id for d in campaign.defects]
    # read back by calamine (what a spreadsheet sees): the name is text, not a formula result
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("Kết quả").to_python()
    assert any(r[1] == INJECTION for r in sheet)


def test_targets_and_initiatives_workbooks(tmp_path):
    th = CAMPAIGNS / "thanhhoa_2021_2030.yaml"
    facts = EXAMPLES / "thanhhoa_2021_2030" / "facts.yaml"
    code, _, err = cli(
        "targets",
        str(th),
        "--facts",
        str(facts),
        "--format",
        "xlsx",
        "-o",
        str(tmp_path / "t.xlsx"),
    )
    assert code == 0, err
    _, js, _ = cli("targets", str(th), "--facts", str(facts), "--format", "json")
    results = json.loads(js)["targets"]
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["Chỉ tiêu"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[2] for r in rows] == [r["value"] for r in results]
    assert [r[4] for r in rows] == [r["target_value"] for r in results]
    vl = CAMPAIGNS / "vinhlinh_2022.yaml"
    vfacts = EXAMPLES / "vinhlinh_2022" / "facts.yaml"
    code, _, err = cli(
        "initiatives",
        str(vl),
        "--facts",
        str(vfacts),
        "--format",
        "xlsx",
        "-o",
        str(tmp_path / "i.xlsx"),
    )
    assert code == 0, err
    ws = openpyxl.load_workbook(tmp_path / "i.xlsx")["Sáng kiến"]
    status = {r[0].value: r[2].value for r in ws.iter_rows(min_row=2)}
    # examples/vinhlinh_2022/facts.yaml header: SK-01 accepted (L63 inclusive), SK-02 a day early
    assert status["SK-01"] == "Được công nhận" and status["SK-02"] == "Bị loại"
    code, _, err = cli("targets", str(th), "--facts", str(facts), "--format", "xlsx")
    assert code == 2 and "--output" in err


def test_bulk_reads_xlsx_like_csv_and_neutralises_formula_text(tmp_path):
    """--bulk from a sheet holding examples/tkv_2019/individuals.csv cell for cell gives the same
    rows as from the CSV; a formula-looking name comes out with a leading quote."""
    pytest.importorskip("polars")
    import csv

    tkv = str(CAMPAIGNS / "tkv_2019.yaml")
    text = (EXAMPLES / "tkv_2019" / "individuals.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    name = rows[0].index("name")
    rows[1][name] = INJECTION
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cá nhân"
    for row in rows:
        ws.append([c if c != "" else None for c in row])
    for cell in ws[2]:
        cell.data_type = "s"  # the name is text in the sheet, not a formula
    wb.save(tmp_path / "in.xlsx")
    outs = []
    for path in (src, tmp_path / "in.xlsx"):
        out = tmp_path / f"{path.suffix[1:]}.csv"
        code, _, err = cli("evaluate", tkv, "--bulk", "--facts", str(path), "-o", str(out))
        assert code == 0, err
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    got = list(csv.DictReader(io.StringIO(outs[0])))
    assert got[0]["name"] == "'" + INJECTION


def test_one_and_zero_in_a_yes_no_column_read_as_in_csv_and_bulk(tmp_path):
    """1/0 typed as numbers or as text in a yes/no column are yes/no, as a CSV cell and --bulk
    read them; 2 is refused with its cell."""
    openpyxl = pytest.importorskip("openpyxl")
    campaign = load_campaign(CAMPAIGNS / "ldtt_cstdcs_2025.yaml")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cá nhân"
    sheet.append(["id", "kind", "role", "emulation_spirit_confirmed", "under_disciplinary_review"])
    sheet.append(["P1", "individual", "employee", 1, "0"])
    sheet.append(["P2", "individual", "employee", "1", 0])
    path = tmp_path / "f.xlsx"
    book.save(path)
    facts = {s.id: dict(s.facts) for s in load_facts(path, campaign).subjects}
    assert facts == {
        "P1": {"emulation_spirit_confirmed": True, "under_disciplinary_review": False},
        "P2": {"emulation_spirit_confirmed": True, "under_disciplinary_review": False},
    }
    sheet.append(["P3", "individual", "employee", 2, 0])
    book.save(path)
    with pytest.raises(FactsError) as info:
        load_facts(path, campaign)
    (p,) = info.value.problems
    assert str(p).startswith(f"{path}:Cá nhân!D4: ") and "expected true or false, got 2" in p.message
