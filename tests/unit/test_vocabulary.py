"""One input vocabulary (issue 11, item 5): ids or Vietnamese labels, any case, NFC or NFD, for
kind, level, role, enum values and phases, in facts files, CLI options and case files; a decimal
comma where it cannot be a thousands separator; every "unknown X" lists the valid ids with their
Vietnamese labels and a did-you-mean.

Labels are the plan's own words, cited from shared/seeds:
TKV 000 L33 "Từ cấp công đoàn bộ phận đến Công đoàn Than - Khoáng sản Việt Nam" (levels, among
them "Công đoàn cơ sở"); L37 "Cán bộ, đoàn viên công đoàn" (roles); L102 "vững mạnh trở lên";
Vĩnh Linh 002 L23 "cán bộ công đoàn, đoàn viên, ..." (role "Đoàn viên"); L25 phase 1;
Thanh Hóa 004 L114 "tốc độ tăng năng suất bình quân hàng năm đạt trên 9,6%" (a decimal comma).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
from pathlib import Path

import pytest

from emulation_rules import Engine, load_campaign
from emulation_rules.authoring.cases import run_cases
from emulation_rules.cli.app import run
from emulation_rules.errors import CaseFileError, FactsError
from emulation_rules.facts.reader import parse_facts, parse_facts_csv
from emulation_rules.results.targets import evaluate_targets

from ..conftest import CAMPAIGNS, EXAMPLES

TKV = CAMPAIGNS / "tkv_2019.yaml"
VL = CAMPAIGNS / "vinhlinh_2022.yaml"
TH = CAMPAIGNS / "thanhhoa_2021_2030.yaml"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture(scope="module")
def tkv():
    return load_campaign(TKV)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("level", ["Công đoàn cơ sở", "CÔNG ĐOÀN CƠ SỞ", nfd("Công đoàn cơ sở"),
                                   "grassroots_union", "Grassroots union"])
def test_level_by_id_or_label_any_case_nfc_or_nfd(tkv, level) -> None:
    sub = parse_facts([{"id": "CD-A", "kind": "Tập thể", "level": level}], tkv)
    assert (sub.subjects[0].kind, sub.subjects[0].level) == ("collective", "grassroots_union")


def test_role_and_kind_by_label() -> None:
    vl = load_campaign(VL)
    sub = parse_facts([{"id": "P01", "kind": nfd("Cá nhân"), "role": "Đoàn viên"}], vl)
    assert (sub.subjects[0].kind, sub.subjects[0].role) == ("individual", "union_member")


def test_enum_by_label_nfd_and_the_unknown_value_lists_labels(tkv) -> None:
    sub = parse_facts([{"id": "CD-A", "kind": "collective", "level": "grassroots_union",
                        "facts": {"union_rating": nfd("vững mạnh")}}], tkv)
    assert sub.subjects[0].facts["union_rating"] == "strong"    # L102 "vững mạnh"
    with pytest.raises(FactsError) as err:
        parse_facts([{"id": "CD-A", "kind": "collective", "level": "grassroots_union",
                      "facts": {"union_rating": "Vững mạnh xuât sắc"}}], tkv)
    (p,) = err.value.problems
    assert "weak (Yếu)" in p.message and "strong (Vững mạnh)" in p.message
    assert p.hint == "did you mean 'strong_excellent'?"


def test_unknown_level_role_and_kind_list_ids_with_labels_and_did_you_mean(tkv) -> None:
    with pytest.raises(FactsError) as err:
        parse_facts([{"id": "CD-A", "kind": "collective", "level": "Công đoàn cơ sỡ"},
                     {"id": "NV", "kind": "individual", "role": "doan vien cong doan"},
                     {"id": "X", "kind": "tap the"}], tkv)
    level, role, kind = err.value.problems
    assert level.code == "unknown-level" and "grassroots_union (Công đoàn cơ sở)" in level.message
    assert level.hint == "did you mean 'grassroots_union'?"
    assert role.code == "unknown-role" and "member (Đoàn viên công đoàn)" in role.message
    assert kind.code == "bad-choice" and "collective (Tập thể)" in kind.message


def test_unknown_fact_lists_the_facts_of_the_subject_kind_with_labels(tkv) -> None:
    with pytest.raises(FactsError) as err:
        parse_facts([{"id": "CD-A", "kind": "collective", "level": "grassroots_union",
                      "facts": {"union_ratng": "strong"}}], tkv)
    (p,) = err.value.problems
    assert "union_rating (Xếp loại công đoàn cơ sở)" in p.message
    assert "member_rating" not in p.message     # an individual fact is not offered
    assert p.hint == "did you mean 'union_rating'?"


# --- decimal comma ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("9,6", 9.6), ("8,15", 8.15), ("0,125", 0.125),
                                             ("1234,5", 1234.5), ("9.6", 9.6)])
def test_a_decimal_comma_that_cannot_be_a_thousands_separator_is_read(text, value) -> None:
    th = load_campaign(TH)
    sub = parse_facts([{"id": "LDLD-TH", "kind": "collective", "level": "provincial_federation",
                        "facts": {"productivity_growth_pct": text}}], th)
    assert sub.subjects[0].facts["productivity_growth_pct"] == pytest.approx(value)


@pytest.mark.parametrize("text", ["1,000", "12,345", "1,000,5"])
def test_an_ambiguous_comma_is_refused_with_the_rule(text) -> None:
    th = load_campaign(TH)
    with pytest.raises(FactsError) as err:
        parse_facts([{"id": "LDLD-TH", "kind": "collective", "level": "provincial_federation",
                      "facts": {"productivity_growth_pct": text}}], th)
    assert "thousands separator" in (err.value.problems[0].hint or "")


def test_the_decimal_comma_in_csv_and_the_strict_trên_comparison() -> None:
    # L114 "đạt trên 9,6%": 9,6 is read as 9.6, and exactly 9.6 is not above it.
    th = load_campaign(TH)
    sub = parse_facts_csv("id,kind,level,productivity_growth_pct\nLDLD-TH,Tập thể,Liên đoàn Lao "
                          "động tỉnh Thanh Hóa,\"9,6\"\n", th)
    assert sub.subjects[0].facts["productivity_growth_pct"] == pytest.approx(9.6)
    assert sub.subjects[0].level == "provincial_federation"
    report = evaluate_targets(th, sub, as_of=dt.date(2023, 12, 31))
    assert report.result("productivity_growth_phase_1").status == "not_met"


# --- CLI options and case files -----------------------------------------------------------


def test_explain_finds_a_subject_given_in_nfd(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("as_of: 2019-12-31\nsubjects:\n  - {id: CĐ-HÀ-LẦM, kind: collective, "
                     "level: Công đoàn cơ sở}\n", encoding="utf-8")
    code, out, err = _run("explain", str(TKV), "--facts", str(facts), "--subject", nfd("CĐ-HÀ-LẦM"))
    assert code == 0, err
    assert "CĐ-HÀ-LẦM" in out


def test_phase_option_by_vietnamese_label_in_nfd() -> None:
    code, out, err = _run("evaluate", str(VL), "--facts", str(EXAMPLES / "vinhlinh_2022" / "facts.yaml"),
                          "--phase", nfd("giai đoạn 1: từ 01/9/2021 đến 31/5/2022"), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["phase"] == "phase_1"    # L25
    code, _, err = _run("targets", str(VL), "--facts", str(EXAMPLES / "vinhlinh_2022" / "facts.yaml"),
                        "--phase", "Giai đoạn 1: từ 01/9/2021 đến 31/5/2022")
    assert code == 0, err


def test_case_files_accept_labels(tmp_path: Path) -> None:
    case = tmp_path / "labels.yaml"
    case.write_text(f"""campaign: {TKV.as_posix()}
cases:
  - id: labels_in_a_case_file
    as_of: 2019-12-31
    subjects:
      - {{id: NV-1, kind: Cá nhân, role: Đoàn viên công đoàn, facts: {{member_rating: Yếu}}}}
    expect:
      - subject: NV-1
        award: individual_recognition
        verdict: not_awarded
        source: {{doc: plan, lines: [110, 110]}}
        why: "L110 'khá trở lên': yếu is below."
""", encoding="utf-8")
    (result,) = run_cases([case])
    assert result.passed, result


def test_engine_accepts_labels_in_raw_subjects(tkv) -> None:
    ev = Engine(tkv, backend="python").evaluate(
        {"as_of": "2019-12-31", "subjects": [{"id": "NV", "kind": "Cá nhân", "role": "Đoàn viên công đoàn",
                                               "facts": {"member_rating": "yếu"}}]})
    assert ev.verdicts() == {("NV", "individual_recognition"): "not_awarded"}


def test_case_file_phase_by_label_and_an_unknown_one_listed(tmp_path: Path) -> None:
    # Thanh Hóa 004 L59 "Giai đoạn I: Từ năm 2021 đến năm 2025"; L78 "thành lập mới 300 CĐCS trở lên".
    def case(phase: str) -> Path:
        path = tmp_path / "phase.yaml"
        path.write_text(f"""campaign: {TH.as_posix()}
cases:
  - id: phase_by_label
    as_of: 2025-12-31
    subjects:
      - {{id: LDLD-TH, kind: collective, level: provincial_federation,
         facts: {{grassroots_unions_founded: 300}}}}
    targets:
      - target: grassroots_unions_founded
        phase: "{phase}"
        status: met
        source: {{doc: plan, lines: [78, 78]}}
""", encoding="utf-8")
        return path

    (result,) = run_cases([case(nfd("giai đoạn i: từ năm 2021 đến năm 2025"))])
    assert result.passed, result
    with pytest.raises(CaseFileError) as err:
        run_cases([case("phase_3")])
    assert "phase_1 (Giai đoạn I" in str(err.value) and "did you mean" in str(err.value)


def test_form_options_take_labels(tmp_path: Path) -> None:
    # TKV L33 levels: "Công đoàn cơ sở" names grassroots_union.
    code, _, err = _run("form", str(TKV), "--kind", "Tập thể", "--level", nfd("công đoàn cơ sở"),
                        "-o", str(tmp_path / "form.xlsx"))
    assert code == 0, err
    code, _, err = _run("form", str(TKV), "--level", "Cong doan co so", "-o", str(tmp_path / "f.xlsx"), "--lang", "en")
    assert code == 2 and "grassroots_union (Công đoàn cơ sở)" in err and "did you mean" in err


def test_an_enum_index_kept_per_campaign_chooses_as_the_scan() -> None:
    """``choose_in`` over ``folded`` choices (what the facts reader keeps per declaration) gives
    ``choose``'s answer for every value of every enum of every shipped campaign, by id, label, any
    case, NFD, and for names that collide (the first choice naming a key keeps it)."""
    from emulation_rules.campaign import model as m
    from emulation_rules.facts.vocab import choose, choose_in, folded

    label = m.Text.model_construct
    collide = (("a", label(vi="Bé", en="b")), ("b", label(vi="A", en="c")), ("c", None))
    enums = [collide] + [tuple((v.id, v.label) for v in f.values) for path in sorted(CAMPAIGNS.glob("*.yaml"))
                         for f in load_campaign(path).facts if f.type in ("enum", "ordered_enum")]
    assert len(enums) > 5
    for choices in enums:
        ids, index = folded(choices)
        names = [n for cid, lab in choices for n in (cid, *((lab.vi, lab.en) if lab else ()))]
        for name in [*names, *(n.upper() for n in names), *(nfd(n) for n in names), " x ", "", 3, None]:
            assert choose_in(name, ids, index) == choose(name, choices), (choices, name)
