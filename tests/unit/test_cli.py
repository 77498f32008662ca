"""The command-line tool, driven through run(argv, stdout=..., stderr=...); no monkeypatching."""

from __future__ import annotations

import csv
import io
import json

import pytest

from emulation_rules.cli.app import build_parser, run

from ..conftest import CAMPAIGNS, EXAMPLES, ROOT, SEEDS

TKV = str(CAMPAIGNS / "tkv_2019.yaml")
FACTS = str(EXAMPLES / "tkv_2019" / "facts.yaml")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_validate_ok():
    code, out, _ = cli("validate", TKV, "--lang", "en")
    assert code == 0
    assert out.startswith(f"ok: {TKV} (tkv_2019:")
    code, out, _ = cli("validate", TKV)  # Vietnamese by default
    assert out.startswith(f"hợp lệ: {TKV} (tkv_2019:")


def test_validate_reports_misspelt_key_with_line_and_column(tmp_path):
    text = (CAMPAIGNS / "tkv_2019.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace(
            "  - id: member_rating\n    applies_to:", "  - id: member_rating\n    aplies_to:"
        ),
        encoding="utf-8",
    )
    line = next(
        i
        for i, ln in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1)
        if "aplies_to" in ln
    )
    code, out, err = cli("validate", TKV, str(bad), "--lang", "en")
    assert code == 1
    assert f"{bad}:{line}:5: facts[" in out
    assert "unknown key 'aplies_to'; allowed: applies_to, " in out
    assert "(did you mean 'applies_to'?) [unknown-key]" in out
    assert "1 of 2 files have problems" in err


def test_validate_json_format(tmp_path):
    code, out, _ = cli(
        "validate", "--format", "json", str(ROOT / "tests/cases/invalid/unknown-fact.yaml")
    )
    assert code == 1
    (report,) = json.loads(out)
    assert report["ok"] is False
    assert report["problems"][0]["code"] == "unknown-fact"
    assert (report["problems"][0]["line"], report["problems"][0]["column"]) == (66, 27)


def test_schema_is_json_schema_with_descriptions():
    code, out, _ = cli("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["additionalProperties"] is False
    fact = schema["$defs"]["FactDecl"]["properties"]
    assert "description" in fact["judgement"]
    assert "in" in schema["$defs"]["OneOf"]["properties"]  # aliases, as written in YAML
    defs = schema["$defs"]

    def refs(node: dict) -> list[str]:
        found = [node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else []
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                found += refs(sub)
        return found + (refs(node["items"]) if isinstance(node.get("items"), dict) else [])

    # Every field an encoder may write is documented, itself or through the model it names.
    undocumented = [
        f"{name}.{key}"
        for name, model in [("Campaign", schema), *defs.items()]
        for key, prop in model.get("properties", {}).items()
        if "description" not in prop
        and not (refs(prop) and all("description" in defs[r] for r in refs(prop)))
    ]
    assert undocumented == []


def test_evaluate_table_on_the_example():
    code, out, _ = cli("evaluate", TKV, "--facts", FACTS, "--lang", "en", "--ids")
    assert code == 0
    assert "CD-HALAM" in out and "awarded" in out
    # Counts follow test_tkv_verdicts.EXPECTED (each verdict derived from seed 000 there):
    # 31 subjects, 11 awarded in all (2 collectives, 9 individuals), counted per award.
    assert "31 subjects; verdicts per award:" in out
    assert ("collective_recognition: 11 subjects — awarded 2, not_awarded 5, incomplete 2, "
            "not_eligible 2") in out
    assert ("individual_recognition: 20 subjects — awarded 9, not_awarded 8, incomplete 2, "
            "not_eligible 1") in out


def test_evaluate_json_is_stable():
    code, out, _ = cli("evaluate", TKV, "--facts", FACTS, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["format_version"] == 1
    assert data["campaign"] == "tkv_2019"
    assert data["as_of"] == "2019-12-31"
    assert data["params"] == {"many_individuals_min": 2.0}
    halam = data["subjects"][0]
    assert halam["id"] == "CD-HALAM"
    award = halam["awards"][0]
    assert set(award) == {
        "award",
        "label",
        "verdict",
        "reason",
        "missing_facts",
        "points",
        "max_points",
        "band",
        "criteria",
    }
    assert award["criteria"][0]["source"] == {  # the plan, 000 L96 (section V.2)
        "doc": "plan",
        "article": None,
        "clause": None,
        "point": None,
        "section": "V.2 Tiêu chuẩn — tập thể",
        "lines": [96, 96],
        "lines_checked": SEEDS.is_dir(),  # the plan's text is there to check them (issue 22)
        "cite": "Kế hoạch 115/KH-CĐTKV, mục V.2 Tiêu chuẩn — tập thể "
                + ("(dòng 96)" if SEEDS.is_dir() else "(dòng 96, chưa đối chiếu)"),
    }
    _, again, _ = cli("evaluate", TKV, "--facts", FACTS, "--format", "json")
    assert again == out


def test_evaluate_json_params_are_sorted(tmp_path):
    # A second parameter declared after many_individuals_min must still come first in the JSON.
    text = (CAMPAIGNS / "tkv_2019.yaml").read_text(encoding="utf-8")
    anchor = "\nfacts:\n"
    extra = """  - id: a_second_param
    type: int
    default: 5
    label: {vi: "Tham số thử", en: "Test parameter"}
    reason: "Only for this test."
    source: {doc: plan, lines: [100, 100]}
"""
    campaign = tmp_path / "two_params.yaml"
    text = text.replace(anchor, "\n" + extra + anchor.lstrip("\n"), 1)
    campaign.write_text(text, encoding="utf-8")
    code, out, err = cli("evaluate", str(campaign), "--facts", FACTS, "--format", "json",
                         "--param", "many_individuals_min=3")
    assert code == 0, err
    params = json.loads(out)["params"]
    assert list(params.items()) == [("a_second_param", 5.0), ("many_individuals_min", 3.0)]


def test_evaluate_csv_and_param_and_as_of():
    code, out, _ = cli(
        "evaluate",
        TKV,
        "--facts",
        FACTS,
        "--format",
        "csv",
        "--param",
        "many_individuals_min=1",
        "--as-of",
        "2020-06-30",
    )
    assert code == 0
    rows = {r["subject_id"]: r for r in csv.DictReader(io.StringIO(out))}
    # L100 "nhiều" set to 1: Núi Béo's single recognised author is enough.
    assert rows["CD-NUIBEO"]["verdict"] == "awarded"
    assert rows["CD-KHECHAM"]["missing_facts"] == "initiatives_reviewed_rigorously"
    assert rows["CD-DEONAI"]["failed_criteria"] == "yearly_review;rigorous_review;solidarity"


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
def test_explain_in_either_language_with_citations():
    code, out, _ = cli("explain", TKV, "--facts", FACTS, "--subject", "CD-VANGDANH")
    assert code == 0
    # the heading names the level and the phase by the campaign's labels (tkv_2019.yaml: level
    # grassroots_union "Công đoàn cơ sở", phase campaign "Toàn bộ phong trào (không có ngày kết thúc)")
    assert out.splitlines()[0].endswith("(CD-VANGDANH; tập thể, Công đoàn cơ sở)")
    assert "giai đoạn: Toàn bộ phong trào (không có ngày kết thúc)" in out
    assert "✗ Xếp loại công đoàn vững mạnh trở lên [rated_strong]: không đạt" in out
    assert "“Được xếp loại công đoàn vững mạnh trở lên.”" in out
    assert "giá trị: union_rating = fair" in out
    assert "nguồn: Kế hoạch 115/KH-CĐTKV, mục V.2 Tiêu chuẩn (dòng lệch cấp) (dòng 102)" in out
    assert "Kết quả: không đạt" in out
    code, out, _ = cli("explain", TKV, "--facts", FACTS, "--subject", "CD-VANGDANH", "--lang", "en")
    assert code == 0
    assert out.splitlines()[0].endswith("(CD-VANGDANH; collective, Grassroots union)")
    assert "phase: Whole campaign (no end date)" in out
    assert "✗ Rated 'strong' or better [rated_strong]: fail" in out
    assert "“Được xếp loại công đoàn vững mạnh trở lên.”" in out  # the plan's words, as they are
    assert "values: union_rating = fair" in out and "Verdict: not awarded" in out
    assert "source: Kế hoạch 115/KH-CĐTKV, mục V.2 Tiêu chuẩn (dòng lệch cấp) (dòng 102)" in out


def test_explain_json_and_unknown_subject():
    code, out, _ = cli("explain", TKV, "--facts", FACTS, "--subject", "NV-011", "--format", "json")
    assert code == 0
    assert json.loads(out)["awards"][0]["missing_facts"] == ["member_rating"]
    code, _, err = cli("explain", TKV, "--facts", FACTS, "--subject", "NOPE", "--lang", "en")
    assert code == 2
    assert "no subject 'NOPE'" in err
    code, _, err = cli("explain", TKV, "--facts", FACTS, "--subject", "NOPE")
    assert code == 2 and "không có đối tượng 'NOPE'" in err


def _commands() -> list[str]:
    (sub,) = [a for a in build_parser()._actions if a.dest == "command"]
    return sorted(sub.choices)


def test_the_core_commands_exist():
    assert {"validate", "schema", "evaluate", "explain"} <= set(_commands())


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(command):
    code, out, _ = cli(command, "--help")
    assert code == 0
    assert out.startswith("usage: emulation-rules " + command)
    # a description beyond the usage line, and every option explained
    assert len(out.split("\n\n")) >= 3
    assert "--help" in out


def test_top_level_help_teaches_examples():
    code, out, _ = cli("--help")
    assert code == 0
    assert "examples:" in out and "exit codes:" in out


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["evaluate", TKV, "--facts", FACTS, "--as-of", "31/12/2019"], "not a date"),
        (["evaluate", TKV, "--facts", "nope.yaml"], "cannot read"),
        (["evaluate", "nope.yaml", "--facts", FACTS], "cannot read campaign"),
        (["evaluate", TKV, "--facts", FACTS, "--param", "nonsense"], "expected NAME=NUMBER"),
        (["evaluate", TKV, "--facts", FACTS, "--param", "unknown_param=2"], "unknown parameter"),
        (["evaluate", TKV], "--facts"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(argv, needle):
    code, _, english = cli(*argv, "--lang", "en")
    assert code == 2
    assert needle in english
    assert "Traceback" not in english
    code, _, err = cli(*argv)  # the same in Vietnamese, the default
    assert code == 2 and err != english and "Traceback" not in err


def test_invalid_facts_are_listed_and_refused(tmp_path):
    bad = tmp_path / "f.yaml"
    bad.write_text(
        "subjects:\n  - {id: A, kind: individual, role: member, facts: {member_rating: superb}}\n"
        "  - {id: B, kind: individual, role: member, facts: {member_rating: fair}}\n",
        encoding="utf-8",
    )
    code, out, err = cli("evaluate", TKV, "--facts", str(bad))
    assert code == 2
    assert f"{bad}:2:" in err and "[invalid-value]" in err
    assert out == ""
    code, out, err = cli("evaluate", TKV, "--facts", str(bad), "--skip-invalid", "--lang", "en")
    assert code == 0
    assert "B " in out and "skipped:" in err
