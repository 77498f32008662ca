"""``evaluate`` takes the columnar path by itself for a large table whose results are rows, and
writes exactly what the subject-by-subject path writes (cli/paths.py). Speed is measured in
benchmarks/bench_paths.py, never here."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from emulation_rules import load_campaign, load_facts
from emulation_rules.cli import paths
from emulation_rules.cli.app import run
from emulation_rules.evaluate.units import bulk_unsupported
from emulation_rules.facts.reader import CSV_META_COLUMNS
from tests.conftest import EXAMPLES, campaign_files

SHIPPED = [p for p in campaign_files() if (EXAMPLES / p.stem / "facts.yaml").is_file()]


def _text(value: Any) -> str:
    """A fact as a facts CSV cell (records as a JSON list, dates ISO)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return json.dumps([{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in r.items()}
                           for r in value], ensure_ascii=False)
    return str(value)


def _as_table(campaign_path: Path, out: Path, *, history: bool = False) -> tuple[Path, str]:
    """The shipped example of ``campaign_path`` as a facts CSV, and its review date."""
    campaign = load_campaign(campaign_path)
    submission = load_facts(EXAMPLES / campaign_path.stem / "facts.yaml", campaign)
    header = [*CSV_META_COLUMNS, *(f.id for f in campaign.facts), *(["history"] if history else [])]
    with out.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(header)
        for s in submission.subjects:
            meta = [getattr(s, c) for c in CSV_META_COLUMNS]
            facts = [_text(s.facts[f.id]) if f.id in s.facts else "" for f in campaign.facts]
            w.writerow([*("" if v is None else str(v) for v in meta), *facts, *(["[]"] if history else [])])
    assert submission.as_of is not None
    return out, submission.as_of.isoformat()


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("campaign_path", SHIPPED, ids=lambda p: p.stem)
def test_the_columnar_path_writes_the_rows_of_the_subject_by_subject_path(campaign_path, tmp_path,
                                                                          monkeypatch):
    table, as_of = _as_table(campaign_path, tmp_path / "facts.csv")
    common = ("evaluate", str(campaign_path), "--facts", str(table), "--as-of", as_of)
    code, per_subject, err = _cli(*common, "--format", "csv", "--no-bulk")
    assert code == 0, err
    assert "xét theo cột" not in err
    unread = bulk_unsupported(load_campaign(campaign_path))  # a unit's answers: rows are not alone
    code, forced, err = _cli(*common, "--bulk")
    if unread is None:
        assert code == 0, err
        assert forced == per_subject
    else:  # forced, it refuses rather than leave the members' unit conditions unknown
        assert code == 2 and "reads the subject's unit" in err
    monkeypatch.setattr(paths, "AUTO_BULK_ROWS", 1)  # the example is small: any table is large
    code, auto, err = _cli(*common, "--format", "csv")
    assert code == 0, err
    code, _, english = _cli(*common, "--format", "csv", "--lang", "en")
    assert code == 0, english
    if unread is None:  # said in Vietnamese (the default), or in English on request
        assert "xét theo cột" in err and "columnar path" not in err
        assert "columnar path" in english and "xét theo cột" not in english
    else:
        assert "không xét theo cột được" in err
        assert "cannot serve" in english and "subject's unit" in english
    assert auto == per_subject
    code, _, err = _cli(*common, "-o", str(tmp_path / "out.csv"))  # the format from the extension
    assert code == 0, err
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == per_subject


def test_below_the_threshold_and_for_other_formats_the_way_is_subject_by_subject(tmp_path):
    campaign_path = SHIPPED[0]
    table, as_of = _as_table(campaign_path, tmp_path / "facts.csv")
    common = ("evaluate", str(campaign_path), "--facts", str(table), "--as-of", as_of)
    code, _, err = _cli(*common, "--format", "csv")
    assert code == 0, err
    assert "xét theo cột" not in err  # a few rows: not worth starting polars
    code, text, err = _cli(*common, "--format", "json")
    assert code == 0, err
    assert json.loads(text)["backend"] in ("durable", "python")


def test_a_table_the_columnar_path_cannot_read_goes_subject_by_subject_with_a_notice(tmp_path,
                                                                                      monkeypatch):
    campaign_path = next(p for p in SHIPPED if p.stem == "tkv_2019")
    table, as_of = _as_table(campaign_path, tmp_path / "facts.csv", history=True)
    common = ("evaluate", str(campaign_path), "--facts", str(table), "--as-of", as_of, "--format", "csv")
    monkeypatch.setattr(paths, "AUTO_BULK_ROWS", 1)
    code, auto, err = _cli(*common)
    assert code == 0, err
    assert "không xét theo cột được" in err and "quá trình khen thưởng" in err  # Vietnamese, the default
    code, auto, err = _cli(*common, "--lang", "en")
    assert code == 0, err
    assert "cannot serve" in err and "history" in err
    code, per_subject, _ = _cli(*common, "--no-bulk")
    assert auto == per_subject
    code, _, err = _cli(*common, "--bulk")  # forced, it refuses as before
    assert code == 2 and "unsupported-column" in err


def test_bulk_and_no_bulk_exclude_each_other(tmp_path):
    campaign_path = SHIPPED[0]
    table, _ = _as_table(campaign_path, tmp_path / "facts.csv")
    code, _, err = _cli("evaluate", str(campaign_path), "--facts", str(table), "--bulk", "--no-bulk")
    assert code == 2 and "--no-bulk" in err


def test_rows_are_counted_up_to_the_threshold(tmp_path):
    lines = tmp_path / "t.csv"
    lines.write_bytes(b"id\n" + b"x\n" * 9)
    assert paths._csv_rows_at_least(lines, 10)
    assert not paths._csv_rows_at_least(lines, 11)
    assert not paths._csv_rows_at_least(tmp_path / "absent.csv", 1)
