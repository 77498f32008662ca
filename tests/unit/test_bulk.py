"""Bulk scoring (issue 5): the vectorised evaluator agrees with the durable-rules engine and
with the reference evaluator.

Agreement tests take their expected values from the durable engine itself, whose verdicts are
tested against the seed plans elsewhere (tests/unit/test_durable_pitfalls.py); the hand-written
cases below cite the seed lines that decide them (seed 000, TKV 2019, section V.2).
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from emulation_rules import (
    CompileError,
    Engine,
    FactsError,
    load_campaign,
    load_facts,
    reference,
)
from emulation_rules.authoring import _synthetic as synthetic
from emulation_rules.campaign import shapes
from emulation_rules.cli.app import run
from emulation_rules.evaluate.polars import RESULT_COLUMNS, BulkEvaluator, find_subject
from emulation_rules.evaluate.polars import _common as bulk
from emulation_rules.evaluate.units import bulk_unsupported
from emulation_rules.results.render import render_csv

from ..conftest import CAMPAIGNS, campaign_files

TKV = CAMPAIGNS / "tkv_2019.yaml"
HEADER = [
    "id",
    "kind",
    "level",
    "role",
    "unit",
    "name",
    "complies_with_policy",
    "member_rating",
    "initiatives",
]
# An initiative accepted by the initiative council, applied, with high effect: seed 000 L106.
GOOD_INITIATIVE = json.dumps(
    [
        {
            "title": "Cải tiến băng tải",
            "accepted_by": "initiative_council",
            "applied": True,
            "high_effect": True,
        }
    ],
    ensure_ascii=False,
)


@pytest.fixture(scope="module")
def tkv_engine() -> Engine:
    return Engine.from_path(TKV)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def _durable(engine: Engine, path: Path, *, on_error: str = "raise") -> tuple[str, list[str]]:
    submission = load_facts(path, engine.campaign, on_error=on_error)  # type: ignore[arg-type]
    return render_csv(engine.evaluate(submission)), [str(p) for p in submission.rejected]


def _reference(engine: Engine, path: Path) -> str:
    """Result rows of the reference evaluator (plain Python, no durable-rules)."""
    return render_csv(reference.evaluate(engine.compiled, load_facts(path, engine.campaign)))


def _bulk(
    engine: Engine, path: Path, *, on_error: str = "raise", chunk_rows: int = 100_000
) -> tuple[str, list[str]]:
    out = io.StringIO()
    result = engine.evaluate_many(path, output=out, on_error=on_error, chunk_rows=chunk_rows)
    return out.getvalue(), [str(p) for p in result.rejected]


# --- agreement ---------------------------------------------------------------------------------


@pytest.mark.parametrize("campaign_path", campaign_files(), ids=lambda p: p.stem)
def test_bulk_agrees_with_durable_on_10000_subjects(campaign_path: Path, tmp_path: Path) -> None:
    """Every shipped campaign: 10,000 synthetic subjects (values around every threshold, 5%
    missing facts, 10% other accepted spellings) get byte-identical result rows."""
    campaign = load_campaign(campaign_path)
    engine = Engine(campaign)
    path = synthetic.write_csv(campaign, 10_000, tmp_path / "subjects.csv", seed=2024)
    if bulk_unsupported(campaign) is not None:  # its awards read the subject's unit: rows are not alone
        with pytest.raises(CompileError, match="reads the subject's unit"):
            _bulk(engine, path, chunk_rows=3_000)
        return
    expected, _ = _durable(engine, path)
    got, rejected = _bulk(engine, path, chunk_rows=3_000)
    assert rejected == []
    assert got == expected
    assert _reference(engine, path) == expected
    verdicts = {line.split(",")[5] for line in expected.splitlines()[1:]}
    if campaign.awards and all(a.criteria_delegated_to for a in campaign.awards):
        # every award delegates its standards (Thanh Hóa 004 L180): never awarded, never failed
        assert verdicts == {"incomplete", "not_eligible"}
    else:
        # the sample exercises the verdicts, not only one of them
        assert {"awarded", "not_awarded", "incomplete"} <= verdicts


@pytest.mark.parametrize(("subjects", "chunk_rows"), [(60, 1), (700, 7), (2_000, 333)])
def test_chunked_streaming_equals_one_chunk(
    tkv_engine: Engine, tmp_path: Path, subjects: int, chunk_rows: int
) -> None:
    path = synthetic.write_csv(tkv_engine.campaign, subjects, tmp_path / "s.csv", seed=7)
    whole, _ = _bulk(tkv_engine, path, chunk_rows=1_000_000)
    assert _bulk(tkv_engine, path, chunk_rows=chunk_rows)[0] == whole


_GARBAGE = [
    "abc",
    "1.5",
    "2,5",
    " ",
    "-1",
    "101",
    "1e3",
    "nan",
    "1_000",
    "+3",
    "007",
    "\uff13",
    "TRUE",
    "x",
    "0",
    "yes ",
    "khá",
    "KHÁ",
    "vững mạnh",
    "31/2/2020",
    "20200101",
    "[]",
    "[{}]",
    "null",
    "[null]",
    "{}",
    "[1]",
    '[{"bogus": 1}]',
    "e\u0301",
    "  S0000001",
    "individual",
    "member",
    "grassroots_union",
    '[{"title": 5, "accepted_by": "Hội đồng sáng kiến", "applied": "có", "high_effect": true}]',
    # for the every-construct campaign below
    "1/2/2020",
    "2020-06-01",
    "50%",
    "mỏ",
    "TRADE",
    "An 7",
    "1e-3",
    '[{"title": "An 7", "author": "A1", "level": "Tỉnh", "applied": "có", "copies": 2.0}]',
    '[{"title": "x", "author": 5, "level": "national", "applied": true, "share": "60"}]',
]


@pytest.mark.parametrize("which", ["tkv_2019", "constructs"])
def test_bad_rows_are_reported_like_the_facts_reader(which: str, tmp_path: Path) -> None:
    """Garbage in random cells and repeated ids: same problems (code, row, column, message) and
    the same results for the rows kept, with --skip-invalid semantics."""
    engine = (
        Engine.from_path(TKV)
        if which == "tkv_2019"
        else Engine(load_campaign(_CONSTRUCTS, file="constructs.yaml"))
    )
    rng = random.Random(5)
    header = list(synthetic.columns(engine.campaign))
    rows = list(synthetic.rows(engine.campaign, 1_500, seed=5, messy=0.3))
    for r in rows:
        if rng.random() < 0.3:
            r[rng.choice(header)] = rng.choice(_GARBAGE)
        if rng.random() < 0.02:
            r["id"] = rows[rng.randrange(len(rows))]["id"]
    path = _write(tmp_path / "bad.csv", header, [[r[c] for c in header] for r in rows])
    expected, expected_problems = _durable(engine, path, on_error="skip")
    got, problems = _bulk(engine, path, on_error="skip", chunk_rows=400)
    assert len(expected_problems) > 100
    assert problems == expected_problems
    assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffHEAD\r\nA,individual,,member,,An,true,fair,[]\r\nB,individual,,member,,Bình,có,Khá,\r\n",
        "HEAD\n\nA,individual,,member,,An,true,fair,[]\n,,,,,,,,\n  ,  ,,,,,,,\n"
        "B,individual,,member,,B,0,weak,\n",
        'HEAD\nA,individual,,member,,"An\nB",true,fair,[]\nB,individual,,member,,B,x,weak,\n',
        "HEAD\nA,individual,,member,,An,true,fair\nB,individual,,member,,B,no,weak,,\nC,individual,,member,,C,yes,fair,[]\n",
        "HEAD\nA,individual,,member,,An,true,fair,[]\rB,individual,,member,,B,false,bad,\n",
        "HEAD\nA,individual,,member,,An,true,fair,[]\nB,individual,,member,,B,false,weak,",
        'HEAD\nA,individual,,member,,An,true,fair,"[\n {""title"":""t"",'
        '""accepted_by"":""science_council"",'
        '""applied"":true,""high_effect"":true}]"\nB,individual,,member,,B,1,weak,x\n',
        " HEAD\n A ,individual , , member,, An ,  true , fair , [] \n",
    ],
    ids=[
        "bom-crlf",
        "blank-rows",
        "line-break-in-cell",
        "wrong-width",
        "lone-cr",
        "no-final-newline",
        "multiline-json",
        "spaces",
    ],
)
def test_csv_edge_cases_match_the_facts_reader(
    tkv_engine: Engine, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "edge.csv"
    path.write_text(text.replace("HEAD", ",".join(HEADER)), encoding="utf-8", newline="")
    assert _bulk(tkv_engine, path, on_error="skip", chunk_rows=2) == _durable(
        tkv_engine, path, on_error="skip"
    )


def test_not_utf8_is_refused_like_the_facts_reader(tkv_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (",".join(HEADER) + "\n").encode()
        + "A,individual,,member,,Nguyên,true,fair,[]\n".encode("latin-1")
    )
    with pytest.raises(FactsError) as bulk_error:
        tkv_engine.evaluate_many(path)
    with pytest.raises(FactsError) as facts_error:
        load_facts(path, tkv_engine.campaign)
    assert [str(p) for p in bulk_error.value.problems] == [
        str(p) for p in facts_error.value.problems
    ]


# --- semantics on hand-written rows -------------------------------------------------------------


def test_missing_values_give_incomplete_with_the_missing_facts(
    tkv_engine: Engine, tmp_path: Path
) -> None:
    rows = [
        # L106 met, L110 "khá trở lên" met (fair), L108 compliance not given -> incomplete,
        # missing complies_with_policy.
        ["NV-1", "individual", "", "member", "CD-A", "Lê Văn An", "", "fair", GOOD_INITIATIVE],
        # L108 fails (false) while L110's rating is missing: a failing criterion decides
        # not_awarded; nothing is listed as missing for it... but the rating still is.
        ["NV-2", "individual", "", "member", "CD-A", "Trần Thị Bình", "false", "", GOOD_INITIATIVE],
        # Every individual standard met (L106, L108, L110) -> awarded.
        [
            "NV-3",
            "individual",
            "",
            "union_officer",
            "CD-A",
            "Phạm Văn Cường",
            "có",
            "Khá",
            GOOD_INITIATIVE,
        ],
        # No initiatives cell at all: L106 cannot be decided -> incomplete, missing initiatives.
        ["NV-4", "individual", "", "member", "CD-A", "Vũ Thị Dung", "true", "excellent", ""],
        # A worker who is not a union member is not eligible (L90: "Cán bộ, đoàn viên công đoàn").
        [
            "NV-5",
            "individual",
            "",
            "non_member_worker",
            "CD-A",
            "Đỗ Văn Em",
            "true",
            "fair",
            GOOD_INITIATIVE,
        ],
    ]
    path = _write(tmp_path / "people.csv", HEADER, rows)
    result = tkv_engine.evaluate_many(path)
    assert result.table is not None
    table = {r["subject_id"]: r for r in result.table.to_dicts()}
    assert (table["NV-1"]["verdict"], table["NV-1"]["missing_facts"]) == (
        "incomplete",
        "complies_with_policy",
    )
    assert (table["NV-2"]["verdict"], table["NV-2"]["failed_criteria"]) == (
        "not_awarded",
        "complies",
    )
    assert table["NV-2"]["missing_facts"] == "member_rating"
    assert table["NV-3"]["verdict"] == "awarded"
    assert (table["NV-4"]["verdict"], table["NV-4"]["missing_facts"]) == (
        "incomplete",
        "initiatives",
    )
    assert table["NV-5"]["verdict"] == "not_eligible"
    assert _bulk(tkv_engine, path)[0] == _durable(tkv_engine, path)[0]


def test_a_bad_value_refuses_the_run_and_leaves_no_output(
    tkv_engine: Engine, tmp_path: Path
) -> None:
    rows = [
        ["NV-1", "individual", "", "member", "", "An", "true", "fair", "[]"],
        ["NV-2", "individual", "", "member", "", "Bình", "maybe", "fair", "[]"],
    ]
    path = _write(tmp_path / "people.csv", HEADER, rows)
    out = tmp_path / "out.parquet"
    with pytest.raises(FactsError) as err:
        tkv_engine.evaluate_many(path, output=out)
    (problem,) = err.value.problems
    assert problem.code == "invalid-value"
    assert (problem.location.line, problem.location.column) == (3, 7)  # type: ignore[union-attr]
    assert problem.path == ("row 3", "facts", "complies_with_policy")
    assert not out.exists()
    assert list(tmp_path.glob("*.partial")) == []
    # with skip, the row is left out and listed; the other is scored
    result = tkv_engine.evaluate_many(path, output=out, on_error="skip")
    assert [p.code for p in result.rejected] == ["invalid-value"]
    assert pl.read_parquet(out)["subject_id"].to_list() == ["NV-1"]


# --- formats --------------------------------------------------------------------------------


def test_csv_and_parquet_round_trip(tkv_engine: Engine, tmp_path: Path) -> None:
    path = synthetic.write_csv(tkv_engine.campaign, 3_000, tmp_path / "s.csv", seed=11)
    expected = pl.read_csv(io.StringIO(_durable(tkv_engine, path)[0]), infer_schema=False)
    strings = pl.read_csv(path, infer_schema=False)
    strings.write_parquet(tmp_path / "s.parquet")
    for source in (path, tmp_path / "s.parquet", strings):
        for target in ("r.csv", "r.parquet"):
            tkv_engine.evaluate_many(source, output=tmp_path / target, chunk_rows=1_000)
            got = (
                pl.read_csv(tmp_path / target, infer_schema=False)
                if target.endswith(".csv")
                else pl.read_parquet(tmp_path / target)
            )
            assert got.columns == list(RESULT_COLUMNS)
            got = got.with_columns(pl.col("points").cast(pl.String)).fill_null("")
            assert got.equals(expected.fill_null("")), (source, target)


def test_typed_parquet_columns_are_taken_by_value(tkv_engine: Engine, tmp_path: Path) -> None:
    rows = {
        "id": ["A", "B", "C"],
        "kind": ["individual"] * 3,
        "role": ["member"] * 3,
        "complies_with_policy": [True, None, False],
        "member_rating": ["fair", "Khá", "weak"],
        "initiatives": [GOOD_INITIATIVE, GOOD_INITIATIVE, "[]"],
    }
    pq.write_table(pa.table(rows), tmp_path / "typed.parquet")
    result = tkv_engine.evaluate_many(tmp_path / "typed.parquet")
    assert result.table is not None
    # A meets L106, L108, L110; B lacks L108's fact; C fails L106 (no initiative) and L108, L110.
    assert result.table["verdict"].to_list() == ["awarded", "incomplete", "not_awarded"]
    assert result.table["failed_criteria"].to_list()[2] == (
        "accepted_applied_initiative;complies;member_rated_fair"
    )


def test_unsupported_inputs_are_refused_clearly(tkv_engine: Engine, tmp_path: Path) -> None:
    nested = pa.table(
        {
            "id": ["A"],
            "kind": ["individual"],
            "role": ["member"],
            "initiatives": [
                [
                    {
                        "title": "t",
                        "accepted_by": "initiative_council",
                        "applied": True,
                        "high_effect": True,
                    }
                ]
            ],
        }
    )
    pq.write_table(nested, tmp_path / "nested.parquet")
    with pytest.raises(FactsError) as err:
        tkv_engine.evaluate_many(tmp_path / "nested.parquet")
    assert [p.code for p in err.value.problems] == ["unsupported-column"]
    assert "JSON text" in err.value.problems[0].message
    (tmp_path / "facts.yaml").write_text("subjects: []\n", encoding="utf-8")
    with pytest.raises(FactsError) as err:
        tkv_engine.evaluate_many(tmp_path / "facts.yaml")
    assert [p.code for p in err.value.problems] == ["unsupported-format"]
    _write(tmp_path / "cols.csv", ["id", "kind", "member_ratng"], [])
    with pytest.raises(FactsError) as err:
        tkv_engine.evaluate_many(tmp_path / "cols.csv")
    assert [(p.code, p.hint) for p in err.value.problems] == [
        ("unknown-column", "did you mean 'member_rating'?")
    ]


# --- explanations on demand and the CLI ----------------------------------------------------------


def test_explain_one_subject_on_demand(tkv_engine: Engine, tmp_path: Path) -> None:
    path = synthetic.write_csv(tkv_engine.campaign, 500, tmp_path / "s.csv", seed=3)
    result = tkv_engine.evaluate_many(path, output=tmp_path / "r.parquet")
    assert result.table is None
    subject = result.explain("S0000123")
    expected = tkv_engine.evaluate(load_facts(path, tkv_engine.campaign)).subject("S0000123")
    assert subject == expected
    assert subject.awards[0].criteria  # the criterion-by-criterion reasons are there
    with pytest.raises(KeyError):
        find_subject(tkv_engine.campaign, path, "nobody")


def test_cli_evaluate_and_explain_bulk(tmp_path: Path) -> None:
    campaign = load_campaign(TKV)
    path = synthetic.write_csv(campaign, 200, tmp_path / "s.csv", seed=9)
    out, err = io.StringIO(), io.StringIO()
    code = run(
        [
            "evaluate",
            str(TKV),
            "--bulk",
            "--facts",
            str(path),
            "--output",
            str(tmp_path / "r.parquet"),
        ],
        stdout=out,
        stderr=err,
    )
    assert code == 0, err.getvalue()
    assert "200 subjects scored" in err.getvalue()
    assert pl.read_parquet(tmp_path / "r.parquet").height == 200
    out = io.StringIO()
    assert (
        run(
            ["evaluate", str(TKV), "--bulk", "--facts", str(path)], stdout=out, stderr=io.StringIO()
        )
        == 0
    )
    plain = io.StringIO()
    assert (
        run(
            ["evaluate", str(TKV), "--facts", str(path), "--format", "csv"],
            stdout=plain,
            stderr=io.StringIO(),
        )
        == 0
    )
    assert out.getvalue() == plain.getvalue()
    err = io.StringIO()
    assert (
        run(
            ["evaluate", str(TKV), "--bulk", "--facts", str(path), "--format", "json"],
            stdout=io.StringIO(),
            stderr=err,
        )
        == 2
    )
    assert "--format json" in err.getvalue()
    out = io.StringIO()
    assert (
        run(
            ["explain", str(TKV), "--bulk", "--facts", str(path), "--subject", "S0000007"],
            stdout=out,
            stderr=io.StringIO(),
        )
        == 0
    )
    assert (
        "S0000007" in out.getvalue()
        and "nguồn: Kế hoạch 115/KH-CĐTKV" in out.getvalue()
    )


def test_evaluator_compiles_every_condition_of_every_campaign() -> None:
    for path in campaign_files():
        evaluator = BulkEvaluator(Engine.from_path(path).compiled)
        assert len(evaluator._score_exprs) == len(evaluator.campaign.awards)


# --- every construct of the model --------------------------------------------------------------

# Not a plan: a campaign that uses every condition kind, type and score-sheet rule of model.py,
# so that agreement covers what the shipped campaigns do not use yet. Its score sheet is the
# union group sheet of DOMAIN.md §2.2 B (QĐ 101/QĐ-CĐVC: items with maximum points, bands of the
# legacy scale, "no item below 50 %"); everything else is invented for coverage.
_CONSTRUCTS = """\
schema_version: 2
id: constructs
title: {vi: "Mọi cấu trúc", en: "Every construct"}
issuer: {vi: "Kiểm thử", en: "Test"}
documents: [{id: plan, kind: plan, number: "0/KT", text: plan.txt}]
mode: regular
phases:
  - {id: y, kind: campaign, label: {vi: "Năm", en: "Year"}, start: 2020-01-01,
     source: {doc: plan, lines: 1}}
subjects:
  collective_levels:
    - {id: union_group, label: {vi: "Tổ công đoàn", en: "Union group"}}
    - {id: grassroots_union, label: {vi: "Công đoàn cơ sở", en: "Grassroots union"}}
  individual_roles:
    - {id: member, label: {vi: "Đoàn viên", en: "Member"}}
    - {id: guest, label: {vi: "Khách", en: "Guest"}}
parameters:
  - {id: min_pct, type: percent, default: 80, label: {vi: "p", en: "p"}, reason: "test",
     source: {doc: plan, lines: 1}}
  - {id: many, type: int, default: 2, label: {vi: "n", en: "n"}, reason: "test",
     source: {doc: plan, lines: 1}}
facts:
  - {id: p1, applies_to: collective, type: decimal, minimum: 0, label: {vi: "p1", en: "p1"}}
  - {id: p2, applies_to: collective, type: decimal, minimum: 0, label: {vi: "p2", en: "p2"}}
  - {id: p3, applies_to: collective, type: int, minimum: 0, label: {vi: "p3", en: "p3"}}
  - {id: disciplined, applies_to: collective, type: bool, label: {vi: "d", en: "d"}}
  - {id: dues_pct, applies_to: collective, type: percent, label: {vi: "%", en: "%"}}
  - {id: members, applies_to: collective, type: int, minimum: 0, maximum: 100000,
     label: {vi: "m", en: "m"}}
  - {id: founded, applies_to: collective, type: date, label: {vi: "f", en: "f"}}
  - {id: sector, applies_to: collective, type: enum, label: {vi: "s", en: "s"},
     values: [{id: mining, label: {vi: "Mỏ", en: "Mining"}},
              {id: power, label: {vi: "Điện", en: "Power"}},
              {id: trade, label: {vi: "Thương mại", en: "Trade"}}]}
  - {id: motto, applies_to: collective, type: text, label: {vi: "t", en: "t"}}
  - {id: rating, applies_to: individual, type: ordered_enum, label: {vi: "r", en: "r"},
     values: [{id: weak, label: {vi: "Yếu", en: "Weak"}},
              {id: fair, label: {vi: "Khá", en: "Fair"}},
              {id: excellent, label: {vi: "Xuất sắc", en: "Excellent"}}]}
  - {id: score, applies_to: individual, type: decimal, label: {vi: "đ", en: "s"}}
  - {id: joined, applies_to: individual, type: date, label: {vi: "j", en: "j"}}
  - id: works
    applies_to: individual
    type: records
    label: {vi: "Sáng kiến", en: "Initiatives"}
    fields:
      - {id: title, type: text, label: {vi: "t", en: "t"}}
      - {id: author, type: text, label: {vi: "a", en: "a"}}
      - {id: level, type: ordered_enum, label: {vi: "c", en: "l"},
         values: [{id: unit, label: {vi: "Đơn vị", en: "Unit"}},
                  {id: province, label: {vi: "Tỉnh", en: "Province"}},
                  {id: national, label: {vi: "Toàn quốc", en: "National"}}]}
      - {id: benefit, type: decimal, required: false, label: {vi: "b", en: "b"}}
      - {id: dated, type: date, required: false, label: {vi: "n", en: "o"}}
      - {id: applied, type: bool, label: {vi: "a", en: "a"}}
      - {id: share, type: percent, required: false, label: {vi: "%", en: "%"}}
      - {id: copies, type: int, required: false, label: {vi: "c", en: "c"}}
awards:
  - id: sheet
    kind: title
    subject: collective
    label: {vi: "Tổ vững mạnh", en: "Strong group"}
    eligibility: {levels: [union_group], source: {doc: plan, lines: 1}}
    source: {doc: plan, lines: 1}
    criteria:
      - id: dues
        label: {vi: "d", en: "d"}
        text_vi: "d"
        condition: {any: [{fact: dues_pct, op: ">=", param: min_pct},
                          {not: {fact: sector, in: [mining, power]}}]}
        source: {doc: plan, lines: 1}
    score_sheet:
      max_points: 100
      pass_band: strong
      item_floor_fraction: 0.5
      source: {doc: plan, lines: 1}
      bands:
        - {id: weak, min_points: 0, label: {vi: "Yếu", en: "Weak"}}
        - {id: average, min_points: 50, label: {vi: "Trung bình", en: "Average"}}
        - {id: fair, min_points: 70, label: {vi: "Khá", en: "Fair"}}
        - {id: strong, min_points: 85, label: {vi: "Vững mạnh", en: "Strong"}}
      items:
        - {id: i1, max_points: 40, points_fact: p1, text_vi: "1", label: {vi: "1", en: "1"},
           source: {doc: plan, lines: 1}}
        - {id: i2, max_points: 30.5, points_fact: p2, text_vi: "2", label: {vi: "2", en: "2"},
           source: {doc: plan, lines: 1}}
        - {id: i3, max_points: 19.5, points_fact: p3, text_vi: "3", label: {vi: "3", en: "3"},
           source: {doc: plan, lines: 1}}
        - {id: i4, max_points: 10, text_vi: "4", label: {vi: "4", en: "4"},
           condition: {fact: disciplined, op: "==", value: false},
           source: {doc: plan, lines: 1}}
  - id: unit_award
    kind: commendation
    subject: collective
    label: {vi: "Khen đơn vị", en: "Unit commendation"}
    eligibility: {levels: [union_group, grassroots_union], source: {doc: plan, lines: 1}}
    source: {doc: plan, lines: 1}
    criteria:
      - {id: big, label: {vi: "b", en: "b"}, text_vi: "b", source: {doc: plan, lines: 1},
         condition: {all: [{fact: members, op: ">=", param: many},
                           {fact: members, op: "<", value: 5000}]}}
      - {id: old, label: {vi: "o", en: "o"}, text_vi: "o", source: {doc: plan, lines: 1},
         condition: {fact: founded, op: "<", value: 2020-01-01}}
      - {id: motto_set, label: {vi: "m", en: "m"}, text_vi: "m",
         source: {doc: plan, lines: 1},
         condition: {not: {fact: motto, op: "==", value: "An 7"}}}
      - {id: not_trade, label: {vi: "t", en: "t"}, text_vi: "t",
         source: {doc: plan, lines: 1},
         condition: {fact: sector, op: "!=", value: trade}}
  - id: person
    kind: title
    subject: individual
    label: {vi: "Cá nhân", en: "Person"}
    eligibility: {roles: [member], source: {doc: plan, lines: 1}}
    source: {doc: plan, lines: 1}
    criteria:
      - {id: rated, label: {vi: "r", en: "r"}, text_vi: "r", source: {doc: plan, lines: 1},
         condition: {any: [{fact: rating, at_least: fair}, {fact: score, op: ">=", value: 8.5}]}}
      - {id: rated2, label: {vi: "r", en: "r"}, text_vi: "r", source: {doc: plan, lines: 1},
         condition: {not: {fact: rating, op: "<=", value: weak}}}
      - {id: recent, label: {vi: "j", en: "j"}, text_vi: "j", source: {doc: plan, lines: 1},
         condition: {fact: joined, op: ">=", value: 2020-01-01}}
      - id: works_ok
        label: {vi: "w", en: "w"}
        text_vi: "w"
        source: {doc: plan, lines: 1}
        condition:
          all:
            - count:
                fact: works
                distinct: author
                where:
                  all:
                    - {field: level, at_least: province}
                    - {not: {field: benefit, op: "<", value: 5}}
                    - {any: [{field: applied, op: "==", value: true},
                             {field: dated, op: ">=", value: 2020-06-01}]}
              op: ">="
              param: many
            - count: {fact: works, where: {field: share, op: ">", value: 50}}
              op: "<="
              value: 1
            - count: {fact: works, where: {all: [{field: copies, in: [1, 2]},
                                                 {field: title, op: "!=", value: "An 7"}]}}
              op: "<"
              value: 3
            - count: {fact: works}
              op: "!="
              value: 3
"""


def test_bulk_agrees_with_durable_on_every_construct(tmp_path: Path) -> None:
    campaign = load_campaign(_CONSTRUCTS, file="constructs.yaml")
    engine = Engine(campaign)
    path = synthetic.write_csv(
        campaign, 4_000, tmp_path / "c.csv", seed=99, missing=0.08, messy=0.2
    )
    expected, _ = _durable(engine, path)
    got, rejected = _bulk(engine, path, chunk_rows=1_500)
    assert rejected == []
    assert got == expected
    assert _reference(engine, path) == expected
    lines = expected.splitlines()[1:]
    # the sample reaches every verdict, bands, points and failing score sheets
    assert {line.split(",")[5] for line in lines} == {
        "awarded",
        "not_awarded",
        "incomplete",
        "not_eligible",
    }
    assert any(",strong," in line for line in lines) and any(",fair," in line for line in lines)
    assert any("score_sheet" in line for line in lines)


def test_a_construct_unknown_to_the_bulk_evaluator_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A model construct added later must not be scored silently differently from the engine:
    here the evaluator is made to forget score sheets, and the campaign using one is refused."""
    engine = Engine(load_campaign(_CONSTRUCTS, file="constructs.yaml"))
    known = {k: set(v) for k, v in bulk._KNOWN_FIELDS.items()}
    known[shapes.Award].discard("score_sheet")  # keyed by kind: a model's or a twin's
    monkeypatch.setattr(bulk, "_KNOWN_FIELDS", known)
    with pytest.raises(CompileError, match=r"Award\.score_sheet"):
        BulkEvaluator(engine.compiled)
