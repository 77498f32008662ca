"""Issue 21: the tree of units, many submissions in one review, and the roll-up per unit.

The example province (examples/dienbien_2020/province/) runs the Điện Biên plan (seed 001) over a
tree of one federation, two upper-level unions and five grassroots unions, from six files. The
figures asserted below follow from the plan's targets and the forms' facts:
- 001 L12: "100% Công đoàn cấp trên cơ sở trở lên ... 90% Công đoàn cơ sở xây dựng kế hoạch,
  phát động thi đua": grassroots unions that launched a plan: CDCS-01, 02, 04, 05 yes, CDCS-03 no
  (forms/cdcs_03.csv). So the province 4/5 = 80% < 90% (not met), LĐLĐ huyện A 2/3 (not met), the
  health sector union 2/2 (met); upper unions and the federation 3/3 = 100% (met).
- 001 L15: emulation officers trained: TDKT-04 yes, TDKT-05 no: 50% < 100% (not met).
"""

from __future__ import annotations

import io
import json
import shutil

import pytest

from emulation_rules import Engine, load_campaign
from emulation_rules.cli.app import run
from emulation_rules.errors import FactsError
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.facts.load import load_facts
from emulation_rules.facts.units import load_units, parse_units
from emulation_rules.results.rollup import rollup

from ..conftest import CAMPAIGNS, EXAMPLES, ROOT

PROVINCE = EXAMPLES / "dienbien_2020" / "province"
UNITS = PROVINCE / "units.yaml"
FORMS = PROVINCE / "forms"


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGNS / "dienbien_2020.yaml")


def _report(campaign, backend: str = "python", forms=FORMS, units=UNITS):
    tree = load_units(units, campaign)
    submission = load_facts(forms, campaign, units=tree)
    evaluation = Engine(campaign, backend=backend).evaluate(submission)
    return rollup(campaign, evaluation, submission, tree), submission, evaluation


def test_province_targets_are_computed_from_the_forms_alone(campaign):
    report, submission, _ = _report(campaign)
    assert len(submission.subjects) == 22
    assert submission.missing_units == ()
    launched = "grassroots_unions_launch_plan"  # 001 L12, 90%
    province = report.node("LDLD-TINH")
    t = {r.target_id: r for r in province.targets}
    assert (t[launched].counted, t[launched].population, t[launched].status) == (4, 5, "not_met")
    assert t["upper_unions_launch_plan"].value == 100 and t["upper_unions_launch_plan"].status == "met"
    assert t["emulation_officers_trained"].value == 50  # 001 L15: TDKT-04 trained, TDKT-05 not
    huyen = {r.target_id: r for r in report.node("LDLD-HUYEN-A").targets}
    assert (huyen[launched].counted, huyen[launched].population, huyen[launched].status) == (2, 3, "not_met")
    yte = {r.target_id: r for r in report.node("CD-NGANH-YTE").targets}
    assert (yte[launched].counted, yte[launched].population, yte[launched].status) == (2, 2, "met")


def test_counts_roll_up_as_the_sum_of_the_children(campaign):
    report, _, evaluation = _report(campaign)
    verdicts = evaluation.verdicts()

    def check(node):
        for award, counts in node.counts.items():
            for verdict, n in counts.items():
                own = sum(1 for sid in node.own if verdicts.get((sid, award)) == verdict)
                assert n == own + sum(c.counts[award][verdict] for c in node.children), (node.unit.id, award)
        for c in node.children:
            check(c)

    for root in report.roots:
        check(root)
    province = report.node("LDLD-TINH")
    assert len(province.subjects) == 22
    assert sum(province.counts["yearly_individual_commendation"].values()) == 13  # 13 individuals in the forms


@pytest.mark.parametrize("backend", ["durable", "polars"])
def test_every_backend_gives_the_same_rollup(campaign, backend):
    problem = backend_problem(backend)
    if problem:
        pytest.skip(problem)
    assert _report(campaign, backend)[0].to_dict() == _report(campaign, "python")[0].to_dict()


def test_a_union_with_no_form_is_listed_and_the_review_runs(campaign, tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    (forms / "cdcs_05.yaml").unlink()
    report, submission, _ = _report(campaign, forms=forms)
    assert [u.id for u in submission.missing_units] == ["CDCS-05"]
    assert report.missing == ("CDCS-05",)
    assert report.node("CD-NGANH-YTE").missing == ("CDCS-05",)
    assert report.node("LDLD-HUYEN-A").missing == ()
    out, err = io.StringIO(), io.StringIO()
    rc = run(["rollup", str(CAMPAIGNS / "dienbien_2020.yaml"), "--units", str(UNITS), "--facts", str(forms)],
             stdout=out, stderr=err)
    assert rc == 0, err.getvalue()
    assert f"{UNITS}:15:10: chưa nộp hồ sơ: đơn vị CDCS-05 (Công đoàn Trung tâm Y tế huyện A)" in err.getvalue()
    assert "chưa nộp hồ sơ: CDCS-05" in out.getvalue()


def test_a_subject_in_two_forms_is_a_located_conflict(campaign, tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    (forms / "zz_late.yaml").write_text(
        "campaign: dienbien_2020\nas_of: 2020-12-31\nsubjects:\n"
        "  - {id: P101, kind: individual, role: worker, unit: CDCS-01, facts: {commended_by: none}}\n",
        encoding="utf-8")
    with pytest.raises(FactsError) as info:
        load_facts(forms, campaign)
    [p] = info.value.problems
    assert p.code == "duplicate-subject"
    assert str(p.location) == f"{forms / 'zz_late.yaml'}:4:5"
    assert f"{forms / 'cdcs_01.yaml'}:6:5" in p.message  # the first place is named too
    err = io.StringIO()
    assert run(["evaluate", str(CAMPAIGNS / "dienbien_2020.yaml"), "--facts", str(forms)],
               stdout=io.StringIO(), stderr=err) == 2
    assert "[duplicate-subject]" in err.getvalue()


def test_a_subject_of_a_unit_outside_the_tree_is_refused_with_did_you_mean(campaign, tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    text = (forms / "cdcs_04.yaml").read_text(encoding="utf-8").replace("unit: CDCS-04", "unit: CDCS-4O", 1)
    (forms / "cdcs_04.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FactsError) as info:
        load_facts(forms, campaign, units=load_units(UNITS, campaign))
    [p] = info.value.problems
    assert p.code == "unknown-unit" and "CDCS-4O" in p.message and "CDCS-04" in (p.hint or "")
    assert str(p.location).startswith(str(forms / "cdcs_04.yaml") + ":6:")


def test_several_files_give_the_verdicts_of_one_file(tmp_path):
    # the TKV example split in two files evaluates as the whole file
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    whole = EXAMPLES / "tkv_2019" / "facts.yaml"
    import yaml

    data = yaml.safe_load(whole.read_text(encoding="utf-8"))
    half = len(data["subjects"]) // 2
    for name, part in (("a.yaml", data["subjects"][:half]), ("b.yaml", data["subjects"][half:])):
        (tmp_path / name).write_text(yaml.safe_dump({**data, "subjects": part}, allow_unicode=True), encoding="utf-8")
    engine = Engine(campaign, backend="python")
    one = engine.evaluate(load_facts(whole, campaign)).verdicts()
    two = engine.evaluate(load_facts([tmp_path / "a.yaml", tmp_path / "b.yaml"], campaign)).verdicts()
    assert one == two and len(one) > 10
    out_one, out_two = io.StringIO(), io.StringIO()
    assert run(["evaluate", str(CAMPAIGNS / "tkv_2019.yaml"), "--facts", str(whole), "--format", "json",
                "--backend", "python"], stdout=out_one, stderr=io.StringIO()) == 0
    assert run(["evaluate", str(CAMPAIGNS / "tkv_2019.yaml"), "--facts", str(tmp_path / "a.yaml"),
                str(tmp_path / "b.yaml"), "--format", "json", "--backend", "python"],
               stdout=out_two, stderr=io.StringIO()) == 0
    assert json.loads(out_one.getvalue())["subjects"] == json.loads(out_two.getvalue())["subjects"]


def test_bulk_refuses_several_files_with_a_word(tmp_path):
    err = io.StringIO()
    rc = run(["evaluate", str(CAMPAIGNS / "tkv_2019.yaml"), "--bulk", "--facts", str(FORMS), "--lang", "en"],
             stdout=io.StringIO(), stderr=err)
    assert rc == 2 and "--bulk reads one" in err.getvalue()


def test_files_giving_different_review_dates_are_refused(campaign, tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    path = forms / "cdcs_05.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("as_of: 2020-12-31", "as_of: 2020-12-30"),
                    encoding="utf-8")
    with pytest.raises(FactsError) as info:
        load_facts(forms, campaign)
    assert "different review dates" in info.value.problems[0].message


# --- the units file --------------------------------------------------------------------------


def test_units_file_problems_are_all_located(campaign):
    text = (
        "units:\n"
        "  - {id: LDLD, level: provincial_federation}\n"            # 2
        "  - {id: CDCT-A, level: upper_union, parent: LDDL}\n"      # 3 unknown parent
        "  - {id: CDCS-1, level: grassroots_union, parent: CDCT-A}\n"
        "  - {id: CDCS-1, level: grassroots_union, parent: LDLD}\n"  # 5 duplicate
        "  - {id: X, level: district}\n"                            # 6 unknown level
    )
    with pytest.raises(FactsError) as info:
        parse_units(text, campaign, file="u.yaml")
    got = {(p.code, p.location.line if p.location else None) for p in info.value.problems}
    assert got == {("unknown-unit", 3), ("duplicate-id", 5), ("unknown-level", 6)}
    unknown = next(p for p in info.value.problems if p.code == "unknown-unit")
    assert unknown.hint == "did you mean 'LDLD'?"


def test_units_from_csv_and_xlsx_are_located_by_cell(campaign, tmp_path):
    csv_path = tmp_path / "units.csv"
    csv_path.write_text("mã,tên,cấp,đơn vị cấp trên\nT,Tỉnh,provincial_federation,\n"
                        "C,Cơ sở,grassroots_union,T\nU,Cấp trên,upper_union,C\n", encoding="utf-8")
    with pytest.raises(FactsError) as info:
        load_units(csv_path, campaign)
    [p] = info.value.problems
    assert p.code == "unit-level-order" and str(p.location) == f"{csv_path}:4:1"
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Đơn vị"
    for row in (["id", "name", "level", "parent"], ["T", "Tỉnh", "provincial_federation", None],
                ["C", "Cơ sở", "grassroots_union", "TT"]):
        sheet.append(row)
    xlsx = tmp_path / "units.xlsx"
    book.save(xlsx)
    with pytest.raises(FactsError) as info:
        load_units(xlsx, campaign)
    [p] = info.value.problems
    assert p.code == "unknown-unit" and str(p.location) == f"{xlsx}:Đơn vị!A3"


def test_the_tree_answers_its_questions(campaign):
    tree = load_units(UNITS, campaign)
    assert [u.id for u in tree.roots()] == ["LDLD-TINH"]
    assert [u.id for u in tree.children("LDLD-HUYEN-A")] == ["CDCS-01", "CDCS-02", "CDCS-03"]
    assert [u.id for u in tree.ancestors("CDCS-04")] == ["CD-NGANH-YTE", "LDLD-TINH"]
    assert {u.id for u in tree.leaves()} == {"KHOI-1", "CDCS-01", "CDCS-02", "CDCS-03", "CDCS-04", "CDCS-05"}
    assert [u.id for u in tree.clusters()["KHOI-1"]] == ["LDLD-HUYEN-A", "CD-NGANH-YTE"]
    order = [u.id for u in tree.depth_order()]
    assert all(order.index(u.id) < order.index(u.parent) for u in tree.units if u.parent)


def test_rollup_json_and_table_in_both_languages(campaign):
    out = io.StringIO()
    args = ["rollup", str(CAMPAIGNS / "dienbien_2020.yaml"), "--units", str(UNITS), "--facts", str(FORMS)]
    assert run([*args, "--format", "json"], stdout=out, stderr=io.StringIO()) == 0
    doc = json.loads(out.getvalue())
    assert doc["format_version"] == 1 and doc["tree"][0]["unit"] == "LDLD-TINH"
    assert [c["unit"] for c in doc["tree"][0]["children"]] == ["KHOI-1", "LDLD-HUYEN-A", "CD-NGANH-YTE"]
    vi, en = io.StringIO(), io.StringIO()
    assert run(args, stdout=vi, stderr=io.StringIO()) == 0
    assert run([*args, "--lang", "en"], stdout=en, stderr=io.StringIO()) == 0
    assert "Công đoàn cơ sở xây dựng kế hoạch, phát động thi đua: 80 / 90 — không đạt" in vi.getvalue()
    assert "66,7 / 90" in vi.getvalue() and "66.7 / 90" in en.getvalue()
    assert " — not met" in en.getvalue() and "không đạt" not in en.getvalue()


def test_rollup_writes_its_output_whole(tmp_path):
    target = tmp_path / "tree.json"
    args = ["rollup", str(CAMPAIGNS / "dienbien_2020.yaml"), "--units", str(UNITS), "--facts", str(FORMS),
            "--format", "json", "-o", str(target)]
    assert run(args, stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["campaign"] == "dienbien_2020"
    assert [p.name for p in tmp_path.iterdir()] == ["tree.json"]  # no temporary file left


def test_example_paths_are_in_the_repository():
    assert (ROOT / "examples" / "dienbien_2020" / "province" / "units.yaml").is_file()
    assert len(list(FORMS.iterdir())) == 6


def test_columnar_counts_equal_the_per_subject_rollup(campaign):
    pl = pytest.importorskip("polars")
    from emulation_rules.results.rollup_table import closure_table, rollup_counts

    report, submission, evaluation = _report(campaign)
    results = pl.DataFrame([{"subject_id": s, "award": a, "verdict": v}
                            for (s, a), v in evaluation.verdicts().items()])
    members = pl.DataFrame([{"id": s.id, "kind": s.kind, "unit": s.unit} for s in submission.subjects])
    tree = load_units(UNITS, campaign)
    table = rollup_counts(results, members, tree)
    got = {(r["unit"], r["award"], r["verdict"]): r["subjects"] for r in table.iter_rows(named=True)}
    expected = {}
    stack = list(report.roots)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        for award, counts in node.counts.items():
            for verdict, n in counts.items():
                if n:
                    expected[(node.unit.id, award, verdict)] = n
    assert got == expected
    assert closure_table(tree).filter(pl.col("unit") == "CDCS-04")["ancestor"].to_list() == [
        "CDCS-04", "CD-NGANH-YTE", "LDLD-TINH"]


def test_rollup_bulk_from_one_table_gives_the_same_counts(campaign, tmp_path):
    pytest.importorskip("polars")
    import csv

    _, submission, _ = _report(campaign)
    facts = [f.id for f in campaign.facts]
    path = tmp_path / "members.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["id", "kind", "level", "role", "unit", "name", *facts])
        for s in submission.subjects:
            w.writerow([s.id, s.kind, s.level or "", s.role or "", s.unit or "", s.name or "",
                        *(str(s.facts[f]).lower() if isinstance(s.facts.get(f), bool) else s.facts.get(f, "")
                          for f in facts)])
    out, err = io.StringIO(), io.StringIO()
    rc = run(["rollup", str(CAMPAIGNS / "dienbien_2020.yaml"), "--units", str(UNITS), "--facts", str(path),
              "--bulk", "--format", "json", "--as-of", "2020-12-31"], stdout=out, stderr=err)
    assert rc == 0, err.getvalue()
    doc = json.loads(out.getvalue())
    assert doc["path"] == "columnar" and doc["missing"] == []
    got = {(c["unit"], c["award"], c["verdict"]): c["subjects"] for c in doc["counts"]}
    report, _, _ = _report(campaign)
    province = report.node("LDLD-TINH").counts
    assert {k[1:]: v for k, v in got.items() if k[0] == "LDLD-TINH"} == {
        (a, v): n for a, c in province.items() for v, n in c.items() if n}
    table = io.StringIO()
    assert run(["rollup", str(CAMPAIGNS / "dienbien_2020.yaml"), "--units", str(UNITS), "--facts", str(path),
                "--bulk", "--as-of", "2020-12-31"], stdout=table, stderr=io.StringIO()) == 0
    assert "  CD-NGANH-YTE Công đoàn ngành Y tế" in table.getvalue()



def test_rollup_bulk_of_one_table_per_upper_union_sums_to_the_whole(campaign, tmp_path):
    """The columnar roll-up of several tables, one after the other, gives the counts of the
    whole review (each count is a number of subjects, summed); a subject in two tables is
    refused, naming both."""
    pl = pytest.importorskip("polars")

    _, submission, _ = _report(campaign)
    tree = load_units(UNITS, campaign)
    facts = [f.id for f in campaign.facts]

    def row(s):
        return {"id": s.id, "kind": s.kind, "level": s.level or "", "role": s.role or "", "unit": s.unit or "",
                **{f: (str(s.facts[f]).lower() if isinstance(s.facts.get(f), bool) else str(s.facts.get(f, "")))
                   for f in facts}}

    def upper(s):
        unit = s.id if s.id in tree else s.unit
        chain = [tree.unit(unit), *tree.ancestors(unit)] if unit in tree else []
        return next((u.id for u in chain if u.level == "upper_union"), "rest")

    parts: dict[str, list[dict]] = {}
    for s in submission.subjects:
        parts.setdefault(upper(s), []).append(row(s))
    paths = []
    for name, rows in parts.items():
        paths.append(tmp_path / f"{name}.parquet")
        pl.DataFrame(rows).write_parquet(paths[-1])
    whole = tmp_path / "whole.parquet"
    pl.DataFrame([row(s) for s in submission.subjects]).write_parquet(whole)
    assert len(paths) == 3  # district A, the health sector union, the province's own file

    def counts(*files):
        out, err = io.StringIO(), io.StringIO()
        rc = run(["rollup", str(CAMPAIGNS / "dienbien_2020.yaml"), "--units", str(UNITS), "--facts",
                  *map(str, files), "--bulk", "--format", "json", "--as-of", "2020-12-31"], stdout=out, stderr=err)
        return rc, out.getvalue(), err.getvalue()

    rc, one, _ = counts(whole)
    rc_many, many, err = counts(*paths)
    assert rc == rc_many == 0, err
    assert json.loads(many)["counts"] == json.loads(one)["counts"]
    pl.DataFrame([row(submission.subjects[0])]).write_parquet(tmp_path / "again.parquet")
    rc, _, err = counts(*paths, tmp_path / "again.parquet")
    assert rc == 2 and f"đối tượng {submission.subjects[0].id!r} cũng có trong" in err and "[duplicate-subject]" in err

# --- clusters (a test campaign: no shipped plan states a cluster ranking rule) ----------------

CLUSTER_RULE = """
hierarchy:
  clusters:
    label: {vi: "Cờ thi đua dẫn đầu khối", en: "Bloc leader's flag"}
    score: {fact: emulation_score}
    leaders: 1
    ties: TIES
"""
SCORE_FACT = """  - id: emulation_score
    applies_to: collective
    type: int
    minimum: 0
    label: {vi: "Điểm thi đua", en: "Emulation score"}
"""


def _cluster_campaign(tmp_path, ties="none"):
    text = (CAMPAIGNS / "dienbien_2020.yaml").read_text(encoding="utf-8")
    text = text.replace("\nfacts:\n", "\nfacts:\n" + SCORE_FACT, 1) + CLUSTER_RULE.replace("TIES", ties)
    path = tmp_path / "dienbien_clusters.yaml"
    path.write_text(text, encoding="utf-8")
    return load_campaign(path)


def _cluster_forms(tmp_path, scores):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    path = forms / "00_province.yaml"
    text = path.read_text(encoding="utf-8")
    for unit, score in scores.items():
        if score is not None:
            text = text.replace(f"{{id: {unit}, ", f"{{id: {unit}, ", 1).replace(
                f"name: {_NAMES[unit]}, unit: LDLD-TINH, facts: {{",
                f"name: {_NAMES[unit]}, unit: LDLD-TINH, facts: {{emulation_score: {score}, ", 1)
    path.write_text(text, encoding="utf-8")
    return forms


_NAMES = {"LDLD-HUYEN-A": "LĐLĐ huyện A", "CD-NGANH-YTE": "Công đoàn ngành Y tế"}


@pytest.mark.parametrize(("scores", "ties", "outcomes"), [
    ({"LDLD-HUYEN-A": 88, "CD-NGANH-YTE": 92}, "none", {"CD-NGANH-YTE": "leader", "LDLD-HUYEN-A": "not_leader"}),
    ({"LDLD-HUYEN-A": 90, "CD-NGANH-YTE": 90}, "none", {"CD-NGANH-YTE": "tied_at_cut", "LDLD-HUYEN-A": "tied_at_cut"}),
    ({"LDLD-HUYEN-A": 90, "CD-NGANH-YTE": 90}, "first_listed", {"LDLD-HUYEN-A": "leader", "CD-NGANH-YTE": "not_leader"}),
    ({"LDLD-HUYEN-A": 95, "CD-NGANH-YTE": None}, "none", {"LDLD-HUYEN-A": "undecided", "CD-NGANH-YTE": "undecided"}),
])
def test_cluster_units_are_ranked_and_the_leader_named(tmp_path, scores, ties, outcomes):
    campaign = _cluster_campaign(tmp_path, ties)
    report, _, _ = _report(campaign, forms=_cluster_forms(tmp_path, scores))
    [cluster] = report.clusters
    assert cluster.cluster == "KHOI-1" and cluster.name == "Khối thi đua số 1"
    assert {p.unit: p.outcome for p in cluster.places} == outcomes
    assert cluster.missing == tuple(u for u, s in scores.items() if s is None)


def test_cluster_rule_must_rank_by_a_number(tmp_path):
    from emulation_rules.errors import CampaignValidationError

    text = (CAMPAIGNS / "dienbien_2020.yaml").read_text(encoding="utf-8") + CLUSTER_RULE.replace(
        "emulation_score", "emulation_plan_launched").replace("TIES", "none")
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(path)
    assert [p.code for p in info.value.problems] == ["not-ordered"]


# --- the page and the workbook read back -------------------------------------------------------


def _json_counts() -> dict:
    out = io.StringIO()
    assert run(["rollup", str(CAMPAIGNS / "dienbien_2020.yaml"), "--units", str(UNITS), "--facts", str(FORMS),
                "--format", "json"], stdout=out, stderr=io.StringIO()) == 0
    counts, targets = {}, {}
    stack = list(json.loads(out.getvalue())["tree"])
    while stack:
        node = stack.pop()
        stack.extend(node["children"])
        for award, by_verdict in node["counts"].items():
            if any(by_verdict.values()):
                for verdict, n in by_verdict.items():
                    counts[(node["unit"], award, verdict)] = n
        for t in node["targets"]:
            if t["value"] is not None or t["missing"]:
                targets[(node["unit"], t["target"])] = t["status"]
    return {"counts": counts, "targets": targets}


def test_rollup_page_shows_the_json_figures_in_a_browser(tmp_path):
    import html.parser
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    page = tmp_path / "rollup.html"
    assert run(["rollup", str(CAMPAIGNS / "dienbien_2020.yaml"), "--units", str(UNITS), "--facts", str(FORMS),
                "--format", "html", "-o", str(page)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    text = page.read_text(encoding="utf-8")
    if chromium is None:
        pytest.skip("no Chromium binary on PATH (install the OS package 'chromium'; .ci/run does)")
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    assert "<script" not in text and "object at 0x" not in dom and "<built-in" not in dom

    class Cells(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.open, self.counts, self.targets = None, {}, {}

        def handle_starttag(self, tag, attrs):
            self.open = dict(attrs) if tag == "td" else None

        def handle_data(self, data):
            a = self.open
            if a and "data-verdict" in a:
                self.counts[(a["data-unit"], a["data-award"], a["data-verdict"])] = int(data)
            elif a and "data-target" in a:
                self.targets[(a["data-unit"], a["data-target"])] = data
            self.open = None

    cells = Cells()
    cells.feed(dom)
    want = _json_counts()
    assert cells.counts == want["counts"]
    words = {"met": "Đạt", "not_met": "Không đạt", "pending": "Chưa đến hạn", "unknown": "Chưa xác định"}
    assert cells.targets == {k: words[v] for k, v in want["targets"].items()}
    assert len(cells.targets) >= 15


def test_rollup_workbook_has_a_sheet_per_level_with_the_json_figures(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book_path = tmp_path / "rollup.xlsx"
    assert run(["rollup", str(CAMPAIGNS / "dienbien_2020.yaml"), "--units", str(UNITS), "--facts", str(FORMS),
                "--format", "xlsx", "-o", str(book_path)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    book = openpyxl.load_workbook(book_path)
    assert book.sheetnames[0] == "Liên đoàn Lao động tỉnh Điện Biê"[:31]
    assert "Công đoàn cơ sở" in book.sheetnames
    want = _json_counts()["counts"]
    award = "yearly_individual_commendation"
    got = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        head = rows[0]
        for row in rows[1:]:
            for v, word in (("awarded", "Đạt"), ("not_awarded", "Không đạt"), ("incomplete", "Thiếu dữ liệu"),
                            ("not_eligible", "Không thuộc diện")):
                col = head.index(f"Cá nhân được khen thưởng hàng năm (các cấp Công đoàn): {word}")
                if any(row[head.index(f"Cá nhân được khen thưởng hàng năm (các cấp Công đoàn): {w}")]
                       for w in ("Đạt", "Không đạt", "Thiếu dữ liệu", "Không thuộc diện")):
                    got[(row[0], award, v)] = row[col]
            assert all(c is None or "object at 0x" not in str(c) for c in row)
    assert got == want


def test_targets_and_quotas_are_judged_at_the_declared_levels(tmp_path):
    text = (CAMPAIGNS / "dienbien_2020.yaml").read_text(encoding="utf-8") + (
        "hierarchy:\n"
        "  levels: [upper_union, provincial_federation]\n"
        "  judged_at:\n"
        "    - {target: grassroots_unions_launch_plan, levels: [upper_union]}\n"
        "    - {quota: direct_workers_among_commended, levels: [provincial_federation]}\n")
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    campaign = load_campaign(path)
    report, _, _ = _report(campaign)
    province, huyen = report.node("LDLD-TINH"), report.node("LDLD-HUYEN-A")
    assert "grassroots_unions_launch_plan" not in {t.target_id for t in province.targets}
    assert "grassroots_unions_launch_plan" in {t.target_id for t in huyen.targets}
    assert [q.quota_id for q in province.quotas] == ["direct_workers_among_commended"]
    assert huyen.quotas == ()
    grassroots = report.node("CDCS-01")  # a level that takes no part: counts only
    assert grassroots.targets == () and grassroots.quotas == ()
    assert sum(grassroots.counts["yearly_individual_commendation"].values()) == 3


def test_hierarchy_names_are_checked(tmp_path):
    from emulation_rules.errors import CampaignValidationError

    text = (CAMPAIGNS / "dienbien_2020.yaml").read_text(encoding="utf-8") + (
        "hierarchy:\n  levels: [upper_unoin]\n  judged_at:\n    - {target: grassroots_launch, levels: [upper_union]}\n")
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(path)
    assert sorted(p.code for p in info.value.problems) == ["unknown-level", "unknown-target"]
    level = next(p for p in info.value.problems if p.code == "unknown-level")
    assert level.hint == "did you mean 'upper_union'?" and level.location.line > 100


def test_columnar_counts_of_parts_add_up_to_the_whole(campaign):
    # how a roll-up too large for one machine is split: per province, then summed (README, Bulk scoring)
    pl = pytest.importorskip("polars")
    from emulation_rules.facts.units import Unit, UnitTree
    from emulation_rules.results.rollup_table import rollup_counts

    units = [Unit("TLD", "confederation")] + [Unit(f"P{p}", "province", parent="TLD") for p in range(3)]
    units += [Unit(f"G{p}{g}", "grassroots_union", parent=f"P{p}") for p in range(3) for g in range(4)]
    tree = UnitTree(tuple(units), ("grassroots_union", "province", "confederation"))
    members = pl.DataFrame({"id": [f"M{i}" for i in range(240)],
                            "unit": [f"G{i % 3}{(i // 3) % 4}" for i in range(240)]})
    results = pl.DataFrame({"subject_id": [f"M{i}" for i in range(240)] * 2,
                            "award": ["a"] * 240 + ["b"] * 240,
                            "verdict": [("awarded", "not_awarded", "incomplete")[i % 3] for i in range(480)]})
    whole = rollup_counts(results, members, tree)
    parts = [rollup_counts(results, members.filter(pl.col("unit").str.starts_with(f"G{p}")), tree)
             for p in range(3)]
    summed = (pl.concat(parts).group_by("unit", "award", "verdict").agg(pl.col("subjects").sum())
              .filter(pl.col("unit") != "").sort("unit", "award", "verdict"))
    assert summed.to_dicts() == whole.filter(pl.col("unit") != "").to_dicts()
    assert whole.filter(pl.col("unit") == "TLD")["subjects"].sum() == 480
