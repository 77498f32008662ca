"""Author test cases (issue 4, part 4): every case shipped under campaigns/ passes, one pytest
test per case; the runner reports expected-vs-actual diffs; bad case files are refused with
located problems; ``emulation-rules test`` exit codes.

The expected values of the shipped cases are written from the seed text, each citing its line
(campaigns/cases/<campaign id>.yaml). The synthetic case files below use the TKV campaign
(seed 000_40cc82fbe8059212.txt) and cite the lines their expectations come from.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest

from emulation_rules import load_campaign
from emulation_rules.authoring.cases import (
    find_case_files,
    load_cases,
    render_results,
    run_case,
    run_case_file,
    run_cases,
)
from emulation_rules.campaign.figures import DocumentTexts
from emulation_rules.cli.app import run
from emulation_rules.errors import CaseFileError

from ..conftest import CAMPAIGNS, campaign_files

CASES_DIR = CAMPAIGNS / "cases"


def _shipped() -> list[object]:
    """One pytest param per shipped case (a file that fails to load is one failing param)."""
    params: list[object] = []
    for path in find_case_files([CAMPAIGNS]):
        try:
            case_file = load_cases(path)
        except Exception as exc:  # reported by the test, not at collection
            params.append(pytest.param(path, None, exc, id=f"{path.stem}::<load>"))
            continue
        for loaded in case_file.cases:
            params.append(
                pytest.param(case_file, loaded, None, id=f"{path.stem}::{loaded.case.id}")
            )
    return params


@pytest.mark.parametrize(("case_file", "loaded", "error"), _shipped())
def test_shipped_case(case_file, loaded, error) -> None:
    assert error is None, f"{case_file}: {error}"
    result = run_case(case_file, loaded)
    assert result.checked > 0
    assert result.passed, render_results([result])


def test_every_campaign_ships_cases() -> None:
    """Issue 4: 'Ship cases for every campaign' — one case file per campaigns/*.yaml."""
    have = {load_cases(p).campaign.id for p in find_case_files([CAMPAIGNS])}
    want = {load_campaign(p).id for p in campaign_files()}
    lacking = sorted(want - have)
    assert not lacking, (
        f"campaigns without author test cases: {lacking}; add campaigns/cases/<id>.yaml "
        "(format: emulation_rules.cases, each expectation citing its plan line)"
    )


def test_shipped_citations_exist_in_the_seed(seeds_dir: Path) -> None:
    """Every cited line range lies inside the text of the document it names (the plans' texts
    beside the repository, the laws' excerpts under campaigns/documents)."""
    checked = 0
    for path in find_case_files([CAMPAIGNS]):
        cf = load_cases(path)
        texts = DocumentTexts(cf.campaign_path.parent, [seeds_dir])
        for loaded in cf.cases:
            for exp in (*loaded.case.expect, *loaded.case.targets, *loaded.case.quotas):
                if exp.source.lines is None:
                    continue
                lines = texts.lines(cf.campaign.document(exp.source.doc))
                assert lines is not None, (path, exp.source.doc)
                first, last = exp.source.lines
                assert 1 <= first <= last <= len(lines), (path, loaded.case.id, exp)
                checked += 1
    assert checked > 200


def test_find_case_files_skips_campaigns() -> None:
    found = find_case_files([CAMPAIGNS])
    assert CASES_DIR / "tkv_2019.yaml" in found
    assert not set(found) & set(campaign_files())


# --- synthetic case files -----------------------------------------------------------------------

HEAD = f"""\
campaign: {(CAMPAIGNS / "tkv_2019.yaml").as_posix()}
fact_sets:
  ok:
    complies_with_policy: true
    member_rating: fair
    initiatives:
      - {{title: T, accepted_by: initiative_council, applied: true, high_effect: true}}
cases:
"""
L110 = "{doc: plan, lines: [110, 110]}"


def _write(tmp_path: Path, body: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
def test_a_wrong_expectation_gives_an_expected_vs_actual_diff(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"""\
      - id: avg
        subjects:
          - {{id: NV-1, kind: individual, role: member, use: ok, facts: {{member_rating: average}}}}
        expect:
          # wrong on purpose: L110 "khá trở lên" refuses 'average'
          - {{subject: NV-1, award: individual_recognition, verdict: awarded,
             criteria: {{member_rated_fair: pass, complies: pass}}, source: {L110}}}
    """,
    )
    (result,) = run_case_file(load_cases(path))
    assert not result.passed
    items = {(mm.item, mm.expected, mm.actual) for mm in result.mismatches}
    assert items == {
        ("verdict", "awarded", "not_awarded"),
        ("criterion member_rated_fair", "pass", "fail"),
    }
    text = render_results([result])
    assert "FAIL" in text and "- expected: awarded" in text and "+ actual:   not_awarded" in text
    assert "failing: member_rated_fair" in text
    assert "plan: Kế hoạch 115/KH-CĐTKV (dòng 110)" in text
    # the diff points at the expectation's line in the case file
    assert f"{path}:14:" in text


def test_missing_points_band_and_missing_facts_are_compared(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"""\
      - id: nomiss
        subjects:
          - {{id: NV-1, kind: individual, role: member, use: ok, facts: {{member_rating: null}}}}
        expect:
          # L110: the rating is missing, so the verdict is incomplete, missing member_rating;
          # expecting 'complies_with_policy' instead must be reported.
          - {{subject: NV-1, award: individual_recognition, verdict: incomplete,
             missing: [complies_with_policy], source: {L110}}}
    """,
    )
    (result,) = run_case_file(load_cases(path))
    assert [(mm.item, mm.expected, mm.actual) for mm in result.mismatches] == [
        ("missing", ["complies_with_policy"], ["member_rating"])
    ]


def test_null_in_facts_removes_a_fact_of_the_set(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"""\
      - id: nomiss
        subjects:
          - {{id: NV-1, kind: individual, role: member, use: ok, facts: {{member_rating: null}}}}
        expect:
          - {{subject: NV-1, award: individual_recognition, verdict: incomplete,
             missing: [member_rating], source: {L110}}}
    """,
    )
    (result,) = run_case_file(load_cases(path))
    assert result.passed, render_results([result])


@pytest.mark.parametrize(
    ("body", "code", "line"),
    [
        # every expectation must cite the plan
        (
            """\
      - id: x
        subjects: [{id: A, kind: individual, role: member}]
        expect:
          - {subject: A, award: individual_recognition, verdict: incomplete}
    """,
            "missing-key",
            12,
        ),
        (
            """\
      - id: x
        subjects: [{id: A, kind: individual, role: member}]
        expect:
          - {subject: A, award: individual_recognitio, verdict: incomplete, source: SRC}
    """,
            "unknown-award",
            12,
        ),
        (
            """\
      - id: x
        subjects: [{id: A, kind: individual, role: member}]
        expect:
          - {subject: B, award: individual_recognition, verdict: incomplete, source: SRC}
    """,
            "unknown-subject",
            12,
        ),
        (
            """\
      - id: x
        subjects: [{id: A, kind: individual, role: member}]
        expect:
          - {subject: A, award: collective_recognition, verdict: incomplete, source: SRC}
    """,
            "fact-subject-mismatch",
            12,
        ),
        (
            """\
      - id: x
        subjects: [{id: A, kind: individual, role: member}]
        expect:
          - {subject: A, award: individual_recognition, verdict: incomplete,
             criteria: {rated: pass}, source: SRC}
    """,
            "unknown-criterion",
            13,
        ),
        (
            """\
      - id: x
        subjects: [{id: A, kind: individual, role: member}]
        expect:
          - {subject: A, award: individual_recognition, verdict: incomplete,
             source: {doc: law, lines: 1}}
    """,
            "unknown-document",
            13,
        ),
        (
            """\
      - id: x
        subjects: [{id: A, kind: individual, role: member, use: nope}]
        expect: []
    """,
            "unknown-fact-set",
            10,
        ),
        (
            """\
      - id: x
        subjects: [{id: A, kind: individual, role: member, facts: {member_rating: great}}]
        expect: []
    """,
            "invalid-value",
            10,
        ),
        (
            """\
      - id: x
        subjects: [{id: A, kind: individual, role: member}]
        expect:
          - {subject: A, award: individual_recognition, verdict: won, source: SRC}
    """,
            "bad-choice",
            12,
        ),
        (
            """\
      - id: x
        subject: [{id: A, kind: individual, role: member}]
    """,
            "unknown-key",
            10,
        ),
        (
            """\
      - id: x
        params: {many: 3}
        subjects: [{id: A, kind: individual, role: member}]
    """,
            "unknown-param",
            10,
        ),
        (
            """\
      - id: Case-1
        subjects: [{id: A, kind: individual, role: member}]
    """,
            "bad-identifier",
            9,
        ),
    ],
    ids=[
        "no-source",
        "unknown-award",
        "unknown-subject",
        "award-for-other-kind",
        "unknown-criterion",
        "other-seed",
        "unknown-fact-set",
        "invalid-fact",
        "bad-verdict",
        "unknown-key",
        "unknown-param",
        "bad-identifier",
    ],
)
def test_bad_case_files_are_refused_with_located_problems(
    tmp_path: Path, body: str, code: str, line: int
) -> None:
    path = _write(tmp_path, body.replace("SRC", L110))
    with pytest.raises(CaseFileError) as err:
        load_cases(path)
    problems = err.value.problems
    assert "invalid-value" not in [p.code for p in problems] or code == "invalid-value", problems
    assert code in [p.code for p in problems], problems
    p = next(p for p in problems if p.code == code)
    assert p.location is not None and p.location.file == str(path)
    assert p.location.line == line, p


def test_cli_test_exit_codes(tmp_path: Path) -> None:
    good = _write(
        tmp_path,
        f"""\
      - id: fair
        subjects: [{{id: NV-1, kind: individual, role: member, use: ok}}]
        expect:
          # L106-L110 all met, 'khá' exactly meets "khá trở lên"
          - {{subject: NV-1, award: individual_recognition, verdict: awarded, source: {L110}}}
    """,
        "good.yaml",
    )
    out, err = io.StringIO(), io.StringIO()
    assert run(["test", str(good)], stdout=out, stderr=err) == 0
    assert "1 đạt, 0 không đạt" in out.getvalue()  # Vietnamese, the default
    out, err = io.StringIO(), io.StringIO()
    assert run(["test", str(good), "--lang", "en"], stdout=out, stderr=err) == 0
    assert "1 passed, 0 failed" in out.getvalue()

    _write(
        tmp_path,
        f"""\
      - id: weak
        subjects:
          - {{id: NV-1, kind: individual, role: member, use: ok,
             facts: {{member_rating: weak}}}}
        expect:
          - {{subject: NV-1, award: individual_recognition, verdict: awarded, source: {L110}}}
    """,
        "bad.yaml",
    )
    out, err = io.StringIO(), io.StringIO()
    assert run(["test", "-q", str(tmp_path), "--lang", "en"], stdout=out, stderr=err) == 1
    assert "FAIL" in out.getvalue() and "ok " not in out.getvalue()
    assert "1 passed, 1 failed" in out.getvalue()

    invalid = _write(
        tmp_path,
        """\
      - id: x
        subjects: [{id: A, kind: individual, role: member}]
        expect:
          - {subject: A, award: individual_recognition, verdict: awarded}
    """,
        "invalid.yaml",
    )
    out, err = io.StringIO(), io.StringIO()
    assert run(["test", str(invalid)], stdout=out, stderr=err) == 2
    assert "[missing-key]" in err.getvalue()

    out, err = io.StringIO(), io.StringIO()
    assert run(["test", str(tmp_path / "nowhere")], stdout=out, stderr=err) == 2


def test_run_cases_over_the_campaigns_folder_passes() -> None:
    """The issue's acceptance command: ``emulation-rules test campaigns/`` passes."""
    out, err = io.StringIO(), io.StringIO()
    code = run(["test", "-q", str(CAMPAIGNS)], stdout=out, stderr=err)
    assert code == 0, out.getvalue() + err.getvalue()
    assert len(run_cases([CAMPAIGNS])) >= len(campaign_files())


def test_a_wrong_target_status_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(
        textwrap.dedent(f"""\
        campaign: {(CAMPAIGNS / "phurieng_2017.yaml").as_posix()}
        cases:
          - id: finance
            as_of: 2017-12-31
            subjects:
              - {{id: LDLD, kind: collective, level: district_federation,
                 facts: {{finance_collected_pct_of_assigned_budget: 99.9}}}}
            targets:
              # wrong on purpose: L52 "đạt dự toán giao" is not reached by 99.9%
              - target: finance_collected
                status: met
                value: 100
                source: {{doc: plan, lines: [52, 52]}}
        """),
        encoding="utf-8",
    )
    (result,) = run_case_file(load_cases(path))
    got = [(mm.what, mm.item, mm.expected, mm.actual) for mm in result.mismatches]
    assert got == [
        ("target finance_collected [round_1]", "status", "met", "not_met"),
        ("target finance_collected [round_1]", "value", 100, 99.9),
    ]
    assert "value 99.9; the figure is >= 100" in render_results([result])


def test_points_and_band_are_compared(tmp_path: Path) -> None:
    """Score sheets: the union-group sheet of DOMAIN.md §2.2 B (tests/unit/test_score_sheet.py),
    bands of the legacy scale, vững mạnh >= 85 (DOMAIN.md §1.4)."""
    from .test_score_sheet import ITEMS, _sheet_yaml

    (tmp_path / "sheet.yaml").write_text(_sheet_yaml(), encoding="utf-8")
    # 100 - 5 (i1) - 5 (i2) - 5 (i4) = 85: exactly the lowest 'strong' total
    points = dict(ITEMS, i1_upper_tasks=15, i2_representation=10, i4_concerns=10)
    facts = ", ".join(f"{k}_points: {v}" for k, v in points.items())
    src = "{doc: plan, lines: 1}"
    (tmp_path / "cases.yaml").write_text(
        textwrap.dedent(f"""\
        campaign: sheet.yaml
        cases:
          - id: at_85
            subjects:
              - {{id: T1, kind: collective, level: union_group,
                 facts: {{{facts}, member_disciplined: false}}}}
            expect:
              - {{subject: T1, award: strong_union_group, verdict: awarded, points: 85,
                 band: strong, criteria: {{score_sheet: pass}}, source: {src}}}
          - id: wrong_on_purpose
            subjects:
              - {{id: T1, kind: collective, level: union_group,
                 facts: {{{facts}, member_disciplined: false}}}}
            expect:
              - {{subject: T1, award: strong_union_group, verdict: awarded, points: 84,
                 band: fair, source: {src}}}
        """),
        encoding="utf-8",
    )
    right, wrong = run_case_file(load_cases(tmp_path / "cases.yaml"))
    assert right.passed, render_results([right])
    assert [(mm.item, mm.expected, mm.actual) for mm in wrong.mismatches] == [
        ("points", 84, 85),
        ("band", "fair", "strong"),
    ]
