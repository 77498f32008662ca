"""Documents and citations (issue 10, item 1): a campaign declares the documents it rests on
and cites them by id, article, clause, point, section and, where it has their text, lines.

Also the format version: version 1 files (one ``source_seed``) are refused with the way out,
``emulation-rules migrate`` converts them, and ``emulation-rules new`` writes a starter that
validates as written.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from emulation_rules import CampaignValidationError, load_campaign
from emulation_rules.campaign import model as m
from emulation_rules.campaign.migrate import migrate_text
from emulation_rules.cli.app import run

from ..conftest import CAMPAIGNS, ROOT, SEEDS

V1 = ROOT / "tests" / "data" / "v1"

LAW_CAMPAIGN = """\
schema_version: 2
id: law_cited
title: {vi: "Thử trích dẫn", en: "Citation test"}
issuer: {vi: "Kiểm thử", en: "Test"}
mode: regular
documents:
  - {id: plan, kind: plan, number: "7/KH-CĐCS"}
  - {id: law, kind: law, number: "06/2022/QH15", title: "Luật Thi đua, khen thưởng",
     cite_as: "Luật TĐKT 2022"}
  - {id: decree, kind: decree, number: "98/2023/NĐ-CP"}
phases:
  - {id: y, label: {vi: "Năm", en: "Year"}, start: 2025-01-01, end: 2025-12-31,
     source: {doc: plan, section: "III"}}
subjects:
  individual_roles: [{id: member, label: {vi: "Đoàn viên", en: "Member"}}]
facts:
  - {id: done, applies_to: individual, type: bool, label: {vi: "Hoàn thành", en: "Done"}}
awards:
  - id: t
    kind: title
    subject: individual
    label: {vi: "Danh hiệu", en: "Title"}
    source: {doc: law, article: "24", clause: "1"}
    eligibility: {roles: [member], source: {doc: decree, article: "5", unchecked: "not read"}}
    criteria:
      - {id: c, label: {vi: "Hoàn thành", en: "Done"}, text_vi: "Hoàn thành tốt nhiệm vụ",
         condition: {fact: done, op: "==", value: true},
         source: {doc: law, article: "24", clause: "1", point: "a"}}
defects:
  - {id: d1, sources: [{doc: plan, section: "II"}], text: "A defect cited by section only.",
     resolution: "None needed."}
"""


def test_citations_print_as_people_cite_law() -> None:
    c = load_campaign(LAW_CAMPAIGN)
    award = c.award("t")
    assert award.source.cite() == "Luật TĐKT 2022, Điều 24, khoản 1"
    assert award.criteria[0].source.cite() == "Luật TĐKT 2022, Điều 24, khoản 1, điểm a"
    # no cite_as: kind and number; an unchecked article number says so
    assert award.eligibility.source.cite() == "Nghị định 98/2023/NĐ-CP, Điều 5 (chưa đối chiếu)"
    assert c.phases[0].source.cite() == "Kế hoạch 7/KH-CĐCS, mục III"
    assert c.plan.id == "plan" and c.document("law").number == "06/2022/QH15"


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
def test_a_plan_cited_by_line_names_its_number_and_lines() -> None:
    """TKV 2019: the collective standards, plan 115/KH-CĐTKV V.2, lines 96-98 (000 L96-98)."""
    c = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    registration = next(k for k in c.award("collective_recognition").criteria
                        if k.id == "registration")
    assert registration.source.cite() == "Kế hoạch 115/KH-CĐTKV, mục V.2 Tiêu chuẩn — tập thể (dòng 96-98)"
    d04 = next(d for d in c.defects if d.id == "d04")
    assert m.cite_many(d04.sources) == "Kế hoạch 115/KH-CĐTKV (dòng 9, 96)"


def test_lines_without_a_text_and_unknown_documents_are_located() -> None:
    text = LAW_CAMPAIGN.replace('source: {doc: law, article: "24", clause: "1"}',
                                'source: {doc: law, article: "24", lines: [3, 4]}')
    text = text.replace('source: {doc: plan, section: "III"}', 'source: {doc: plna, section: "III"}')
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(text, file="c.yaml")
    found = {(p.code, p.path) for p in info.value.problems}
    assert ("bad-citation", ("awards", 0, "source", "lines")) in found
    assert ("unknown-document", ("phases", 0, "source", "doc")) in found
    unknown = next(p for p in info.value.problems if p.code == "unknown-document")
    assert unknown.message.endswith("valid: plan, law, decree") and unknown.hint == "did you mean 'plan'?"
    assert str(unknown).startswith("c.yaml:13:20: phases[0].source.doc: ")


def test_a_defect_stands_only_on_lines_of_its_own_document() -> None:
    plan_line = m.Source(doc="plan", lines=(5, 7))
    other_doc = m.Source(doc="law", lines=(5, 7))
    d = m.Defect(id="d", sources=(m.Source(doc="plan", lines=(6, 6)),), text="t", resolution="r")
    assert d.stands_on(plan_line) and not d.stands_on(other_doc)
    assert not d.stands_on(m.Source(doc="plan", lines=(8, 9)))
    assert d.lines == (6,)


def test_version_1_is_refused_with_the_way_out() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run(["validate", str(V1 / "tkv_2019.yaml"), "--lang", "en"], stdout=out, stderr=err) == 1
    text = out.getvalue()
    assert f"{V1 / 'tkv_2019.yaml'}:4:17: schema_version: this campaign is in format version 1" in text
    assert "emulation-rules migrate FILE --write" in text and "[schema-version]" in text


def test_migrating_version_1_gives_the_shipped_campaign(tmp_path: Path) -> None:
    """The version 1 TKV 2019 file (as shipped before version 2), converted, is the shipped
    version 2 campaign: same model, every citation now naming the plan."""
    v1 = tmp_path / "tkv_2019.yaml"
    v1.write_text((V1 / "tkv_2019.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = io.StringIO()
    assert run(["migrate", str(v1)], stdout=out, stderr=io.StringIO()) == 0
    assert "+schema_version: 2" in out.getvalue() and "-source_seed:" in out.getvalue()
    assert run(["migrate", "--write", str(v1)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    converted = load_campaign(v1)
    shipped = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    drop = {"documents": {0: {"text", "sha256"}}}  # where the text is, and its version
    assert converted.model_dump(exclude=drop) == shipped.model_dump(exclude=drop)
    assert "# defect d01" in v1.read_text(encoding="utf-8")  # comments are kept
    again = io.StringIO()
    assert run(["migrate", str(v1), "--lang", "en"], stdout=again, stderr=io.StringIO()) == 0
    assert "already version 2, unchanged" in again.getvalue()


def test_migrating_a_case_file_rewrites_its_citations() -> None:
    text = (V1 / "cases_tkv_2019.yaml").read_text(encoding="utf-8")
    new = migrate_text(text)
    assert "seed:" not in new and new.count("{doc: plan") == text.count("{seed: ")
    assert new.count("\n") == text.count("\n")  # line for line: the comments stay in place


def test_migrate_refuses_a_file_over_the_limit_without_reading_it_all(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# x\n" * (2 * 1024 * 1024))  # 8 MiB, over the 4 MiB campaign limit
    err = io.StringIO()
    assert run(["migrate", str(big), "--lang", "en"], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue() == f"{big}: cannot read: the file is larger than 4194304 bytes\n"


def test_migrate_reports_a_file_that_is_not_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    err = io.StringIO()
    assert run(["migrate", str(bad), "--lang", "en"], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue().startswith(f"{bad}:") and "nothing converted" in err.getvalue()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the plan texts are not beside the repository")
def test_shipped_plans_are_checked_against_their_texts() -> None:
    out = io.StringIO()
    assert run(["validate", "-v", "--format", "json", *map(str, sorted(CAMPAIGNS.glob("*.yaml")))],
               stdout=out, stderr=io.StringIO()) == 0
    for entry in json.loads(out.getvalue()):
        if entry["file"].endswith(("tkv_2019.yaml", "dienbien_2020.yaml", "vinhlinh_2022.yaml",
                                   "phurieng_2017.yaml", "thanhhoa_2021_2030.yaml")):
            assert entry["figures"]["texts_found"] == ["plan"], entry


def test_new_writes_a_starter_that_validates_and_passes(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run(["new", "ldtt_2025", "--dir", str(tmp_path), "--year", "2025",
                "--title", "Thi đua năm 2025", "--lang", "en"], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    campaign, cases = tmp_path / "ldtt_2025.yaml", tmp_path / "cases" / "ldtt_2025.yaml"
    assert "valid; 1 of 1 cases pass" in out.getvalue()
    c = load_campaign(campaign)
    assert (c.id, c.title.vi, c.phases[0].start.isoformat()) == ("ldtt_2025", "Thi đua năm 2025",
                                                               "2025-01-01")
    assert [d.kind for d in c.documents] == ["plan"] and len(c.awards) == 1
    assert run(["validate", str(campaign)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    test_out = io.StringIO()
    assert run(["test", str(cases), "--lang", "en"], stdout=test_out, stderr=io.StringIO()) == 0
    assert "1 passed, 0 failed" in test_out.getvalue()
    # a second run does not overwrite the user's work
    err = io.StringIO()
    assert run(["new", "ldtt_2025", "--dir", str(tmp_path), "--lang", "en"], stdout=io.StringIO(), stderr=err) == 2
    assert "already exists" in err.getvalue() and "--force" in err.getvalue()


def test_new_explains_a_bad_id_in_words(tmp_path: Path) -> None:
    err = io.StringIO()
    assert run(["new", "lao_động_tiên_tiến", "--dir", str(tmp_path), "--lang", "en"], stdout=io.StringIO(),
               stderr=err) == 2
    assert "ASCII letters, digits and '_' only" in err.getvalue()
    assert "lao_dong_tien_tien" in err.getvalue()
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the plan texts are not beside the repository")
def test_a_figure_problem_is_reported_beside_other_problems(tmp_path: Path) -> None:
    """No problem hides another: the figure check runs although the file has another problem
    (a duplicated role here), and both are reported in one run."""
    text = (ROOT / "tests" / "cases" / "invalid" / "figure-not-in-source.yaml").read_text(encoding="utf-8")
    text = text.replace("    - {id: member, label: {vi: \"Đoàn viên\", en: \"Member\"}}",
                        "    - {id: member, label: {vi: \"Đoàn viên\", en: \"Member\"}}\n"
                        "    - {id: member, label: {vi: \"Đoàn viên\", en: \"Member\"}}")
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(path, documents=SEEDS)
    assert sorted(p.code for p in info.value.problems) == ["duplicate-id", "figure-not-in-source"]


def test_migrating_a_one_line_document_keeps_its_keys() -> None:
    v1 = LAW_CAMPAIGN.replace("schema_version: 2", "schema_version: 1\nsource_seed: plan.txt").replace(
        '''documents:
  - {id: plan, kind: plan, number: "7/KH-CĐCS"}
  - {id: law, kind: law, number: "06/2022/QH15", title: "Luật Thi đua, khen thưởng",
     cite_as: "Luật TĐKT 2022"}
  - {id: decree, kind: decree, number: "98/2023/NĐ-CP"}
''', 'document: {number: "7/KH-CĐCS", place: "Hà Nội", source: {seed: plan.txt, lines: [1, 2], clause: "I"}}\n')
    v1 = v1.replace("doc: law", "seed: plan.txt").replace("doc: decree", "seed: plan.txt")
    v1 = v1.replace("doc: plan", "seed: plan.txt")
    c = load_campaign(migrate_text(v1), file="v1.yaml")
    plan = c.plan
    assert (plan.number, plan.place, plan.text) == ("7/KH-CĐCS", "Hà Nội", "plan.txt")
    assert plan.source is not None and (plan.source.lines, plan.source.section) == ((1, 2), "I")
