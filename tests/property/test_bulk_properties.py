"""Properties of the bulk evaluator (issue 5): for any table of cells, valid or not, it keeps the
same rows, reports the same problems and gives the same result rows as the facts reader plus the
durable-rules engine and the reference evaluator; its column-wise parsing of numbers and text
equals ``coerce_value``.

Expected values come from the reference path (facts.py + engine.py), not from hand-picked
verdicts; the seed-derived verdicts of that path are tested in tests/unit.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulation_rules import Engine, load_campaign, load_facts, reference
from emulation_rules.campaign import model as m
from emulation_rules.evaluate.polars import BulkEvaluator
from emulation_rules.evaluate.polars._common import _text_values
from emulation_rules.evaluate.units import bulk_unsupported
from emulation_rules.facts.coerce import Invalid as _Invalid
from emulation_rules.facts.coerce import coerce_value
from emulation_rules.results.render import render_csv

from ..conftest import CAMPAIGNS, campaign_files
from ..unit.test_bulk import _CONSTRUCTS

TKV = CAMPAIGNS / "tkv_2019.yaml"
CONSTRUCTS = Path("constructs.yaml")  # the every-construct campaign of tests/unit/test_bulk.py
BULK_CAMPAIGNS = [p for p in campaign_files() if bulk_unsupported(load_campaign(p)) is None]
"""The shipped campaigns bulk scoring reads (one whose awards read the subject's unit is refused)."""
_ENGINES: dict[Path, Engine] = {}


def _engine(path: Path) -> Engine:
    if path not in _ENGINES:
        _ENGINES[path] = (
            Engine(load_campaign(_CONSTRUCTS, file=str(path)))
            if path == CONSTRUCTS
            else Engine.from_path(path)
        )
    return _ENGINES[path]


_SPACES = st.sampled_from(["", " ", "  ", "\t", "\u00a0", "\u3000"])
_JUNK = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)


def _spelled(values: list[str]) -> st.SearchStrategy[str]:
    """A value in another case or with spaces around it, as people type them."""
    return st.builds(
        lambda v, up, a, b: f"{a}{v.upper() if up else v}{b}",
        st.sampled_from(values),
        st.booleans(),
        _SPACES,
        _SPACES,
    )


def _cell(decl: m.FactDecl) -> st.SearchStrategy[str]:
    t = decl.type
    if t == "bool":
        good = _spelled(["true", "false", "có", "không", "yes", "no", "1", "0", "x", "đúng", "sai"])
    elif t in ("int", "decimal", "percent"):
        good = st.one_of(
            st.integers(-5, 120).map(str),
            st.decimals(-5, 120, places=3, allow_nan=False).map(str),
            st.sampled_from(
                [
                    "+3",
                    "007",
                    "1_0",
                    "1e1",
                    "2.0",
                    "nan",
                    "inf",
                    "15%",
                    " 4 ",
                    "\uff13",
                    "1 000",
                    "-0",
                    "99999999999999999999",
                ]
            ),
        )
    elif t == "date":
        good = st.one_of(
            st.dates().map(lambda d: d.isoformat()),
            st.dates().map(lambda d: f"{d.day}/{d.month}/{d.year}"),
            st.sampled_from(["20190101", "2019-W01-1", "31/2/2020", "2019-1-1"]),
        )
    elif t in ("enum", "ordered_enum"):
        good = _spelled(
            [v.id for v in decl.values]
            + [v.label.vi for v in decl.values]
            + [v.label.en for v in decl.values]
        )
    elif t == "text":
        good = st.text(max_size=5)
    else:
        good = st.lists(_record(decl), max_size=3).map(
            lambda rs: json.dumps(rs, ensure_ascii=False)
        )
        good = st.one_of(
            good, st.sampled_from(["[]", "[null]", "{}", "null", "[1]", '[{"zz": 1}]'])
        )
    return st.one_of(st.just(""), good, good, good, _JUNK)


def _record(decl: m.FactDecl) -> st.SearchStrategy[dict[str, object]]:
    fields: dict[str, st.SearchStrategy[object]] = {}
    for f in decl.fields:
        if f.type == "bool":
            value: st.SearchStrategy[object] = st.one_of(
                st.booleans(), st.sampled_from(["có", "no", 1])
            )
        elif f.type in ("enum", "ordered_enum"):
            value = st.sampled_from([v.id for v in f.values] + [f.values[0].label.vi, "??"])
        elif f.type == "date":
            value = st.sampled_from(["2020-01-01", "1/2/2020", "bad", 5])
        elif f.type in ("int", "decimal", "percent"):
            value = st.one_of(
                st.integers(-2, 200), st.floats(-1, 200, allow_nan=False), st.just("7")
            )
        else:
            value = st.one_of(st.sampled_from(["A1", "A2", " A1 ", "e\u0301"]), st.integers(0, 3))
        fields[f.id] = st.one_of(st.none(), value) if not f.required else value
    return st.fixed_dictionaries({}, optional=fields)


@st.composite
def _tables(draw: st.DrawFn) -> tuple[Path, list[list[str]]]:
    path = draw(st.sampled_from([*BULK_CAMPAIGNS, CONSTRUCTS]))
    campaign = _engine(path).campaign
    levels = [lv.id for lv in campaign.subjects.collective_levels]
    roles = [r.id for r in campaign.subjects.individual_roles]
    rows = []
    for i in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["collective", "individual", " individual", "unit"]))
        row = [
            draw(st.sampled_from([f"S{i}", f"S{i}", "S0", " S1 ", ""])),
            kind,
            draw(st.sampled_from([*levels, "", "x"])) if "collective" in kind else "",
            draw(st.sampled_from([*roles, "", "x"])) if "individual" in kind else "",
            "",
            draw(st.sampled_from(["Lê Văn An", "Le\u0302 Va\u0306n An", " An ", ""])),
        ]
        for decl in campaign.facts:
            applies = decl.applies_to in kind
            row.append(draw(_cell(decl)) if applies or draw(st.integers(0, 9)) == 0 else "")
        rows.append(row)
    return path, rows


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(table=_tables())
def test_bulk_equals_facts_reader_and_engine(
    table: tuple[Path, list[list[str]]], tmp_path: Path
) -> None:
    path, rows = table
    engine = _engine(path)
    header = ["id", "kind", "level", "role", "unit", "name", *(f.id for f in engine.campaign.facts)]
    facts = tmp_path / "t.csv"
    with facts.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    submission = load_facts(facts, engine.campaign, on_error="skip")
    expected = render_csv(engine.evaluate(submission))
    out = io.StringIO()
    result = engine.evaluate_many(facts, output=out, on_error="skip", chunk_rows=5)
    assert [str(p) for p in result.rejected] == [str(p) for p in submission.rejected]
    assert out.getvalue() == expected
    assert render_csv(reference.evaluate(engine.compiled, submission)) == out.getvalue()


_NUMBERS = st.one_of(
    st.from_regex(r"\A[ +\-]?[0-9]{0,20}(\.[0-9]{0,17})?%?[ ]?\Z"),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet="0123456789+-.e_% ٣\uff13", max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(_NUMBERS, min_size=1, max_size=20),
    kind=st.sampled_from(["int", "decimal", "percent"]),
)
def test_number_parsing_equals_coerce_value(cells: list[str], kind: str) -> None:
    decl = m.FactDecl.model_validate(
        {
            "id": "x",
            "applies_to": "individual",
            "type": kind,
            "label": {"vi": "x", "en": "x"},
            "minimum": -1e6,
        }
    )
    evaluator = BulkEvaluator(_engine(TKV).compiled)
    values, bad = evaluator._numbers(decl, pl.Series(cells, dtype=pl.String))
    for cell, value, is_bad in zip(cells, values.to_list(), bad.to_list(), strict=True):
        want = None if not cell.strip() else coerce_value(decl, cell.strip(), from_text=True)
        if isinstance(want, _Invalid) or (
            kind == "int" and want is not None and not -(2**63) <= want < 2**63
        ):
            assert is_bad, cell
        else:
            assert not is_bad and value == want, (cell, value, want)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(st.text(), min_size=1, max_size=20))
def test_text_cleaning_equals_python(cells: list[str]) -> None:
    got = _text_values(pl.Series(cells, dtype=pl.String)).to_list()
    want = [unicodedata.normalize("NFC", c.strip()).strip() or None for c in cells]
    assert got == want
