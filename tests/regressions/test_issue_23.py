"""Regressions of issue 23 (besides spreadsheets, in test_issue_23_xlsx.py, and the service, in
tests/service): one test per reproducer of the issue's "Why", each with the exit code and problem
code it must give, through the real command line (``run``) on real files. Inputs that once
crashed or wrote half a file run in a child interpreter (``migrate`` under a file-size limit).
The probe campaign is issue 12's (synthetic, no plan clause).
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from emulation_rules.cli.app import run
from tests.regressions.test_issue_12 import PROBE, probe_campaign

ROOT = Path(__file__).resolve().parents[2]
V1 = ROOT / "tests" / "data" / "v1" / "tkv_2019.yaml"
TKV = str(ROOT / "campaigns" / "tkv_2019.yaml")


def cli(*argv: str) -> tuple[int, str, str]:
    """The command line in this process, in English (the messages these tests read); a traceback
    escaping ``run`` fails the test."""
    out, err = io.StringIO(), io.StringIO()
    rc = run([*argv, "--lang", "en"], stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def v1_copy(tmp_path: Path, edit: tuple[str, str] | None = None, name: str = "plan.yaml") -> Path:
    text = V1.read_text(encoding="utf-8")
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# migrate ----------------------------------------------------------------------------------------


def _migrate_limited(path: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """``migrate --write`` with files limited to ``limit`` bytes: a write past it fails (EFBIG),
    as on a full disk."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "emulation_rules", "migrate", "--write", str(path)],
                          capture_output=True, text=True, timeout=120, preexec_fn=limit_files)


def test_a_failed_write_leaves_the_campaign_whole(tmp_path: Path) -> None:
    # issue: "a failed write (full disk) leaves the campaign truncated with no backup"
    from emulation_rules.campaign.migrate import migrate_text

    path = v1_copy(tmp_path)
    before = path.read_bytes()
    new = migrate_text(before.decode("utf-8"), path).encode("utf-8")
    got = _migrate_limited(path, min(len(before), len(new)) - 1)  # neither file fits whole
    assert got.returncode == 2, got.stderr
    assert "Traceback" not in got.stderr and "the file is unchanged" in got.stderr
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_write_keeps_a_backup_and_the_result_validates(tmp_path: Path) -> None:
    path = v1_copy(tmp_path)
    before = path.read_bytes()
    rc, out, err = cli("migrate", "--write", str(path))
    assert rc == 0, err
    assert (tmp_path / "plan.yaml.bak").read_bytes() == before and "plan.yaml.bak" in out
    rc, out, err = cli("validate", str(path))
    assert rc == 0 and out.startswith("ok:"), out + err


def test_a_quoted_source_seed_with_a_space_keeps_number_and_date(tmp_path: Path) -> None:
    # issue: 'source_seed: "my plan.txt"' was "converted" and the plan's number and date dropped
    path = v1_copy(tmp_path, ("source_seed: 000_40cc82fbe8059212.txt", 'source_seed: "my plan.txt"'))
    rc, _, err = cli("migrate", "--write", str(path))
    assert rc == 0, err
    text = path.read_text(encoding="utf-8")
    assert 'number: "115/KH-CĐTKV"' in text and "date: 2019-03-29" in text and "source_seed" not in text
    assert 'text: "my plan.txt"' in text
    assert cli("validate", str(path))[0] == 0


@pytest.mark.parametrize(("value", "code", "where"), [
    ("!!bool maybe", "invalid-value", ":20:7:"),
    ("!!timestamp hello", "invalid-value", ":20:7:"),
    ("[" * 3000, "too-deep", ":20:"),
    ('"a\x1bb"', "bad-character", ":20:"),
])
def test_bad_yaml_gives_a_located_error_not_a_traceback(tmp_path: Path, value: str, code: str, where: str) -> None:
    # issue: "!!bool maybe, !!timestamp hello and deep nesting give tracebacks (KeyError,
    # AttributeError, RecursionError) ... Control characters give 'position N' with no line"
    path = v1_copy(tmp_path, ("mode: regular", f"mode: {value}"))
    assert path.read_text(encoding="utf-8").splitlines()[19].startswith("mode:")
    rc, out, err = cli("migrate", str(path))
    assert rc == 2 and out == "", err
    assert f"[{code}]" in err and f"{path}{where}" in err and "nothing converted" in err


def test_a_version_1_file_with_a_bom_becomes_version_2(tmp_path: Path) -> None:
    # issue: "A v1 file with a BOM is reported converted but stays version 1"
    path = tmp_path / "bom.yaml"
    body = V1.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + body[body.index(b"schema_version: 1"):])  # the BOM right before it
    rc, out, err = cli("migrate", "--write", str(path))
    assert rc == 0 and "converted to version 2" in out, err
    assert path.read_text(encoding="utf-8").startswith("schema_version: 2") or "\nschema_version: 2" in path.read_text(
        encoding="utf-8")
    assert cli("validate", str(path))[0] == 0
    assert "already version 2" in cli("migrate", str(path))[1]


def test_what_migrate_cannot_carry_is_refused_located(tmp_path: Path) -> None:
    path = v1_copy(tmp_path, ("source_seed: 000_40cc82fbe8059212.txt", "source_seed: [a.txt, b.txt]"))
    before = path.read_bytes()
    rc, _, err = cli("migrate", "--write", str(path))
    assert rc == 2 and "[cannot-convert]" in err and f"{path}:6:" in err
    assert path.read_bytes() == before and not (tmp_path / "plan.yaml.bak").exists()



@pytest.mark.parametrize("where", ["beside", "link"])
def test_a_converted_file_is_one_the_loader_accepts(tmp_path: Path, where: str) -> None:
    # closing note of issue 23: three files with 'source_seed: "../../etc/passwd"' were called
    # converted, then refused by the loader with document-outside (migrate validated without the
    # campaign's folder as the texts' base)
    folder, outside = tmp_path / "campaign", tmp_path / "elsewhere"
    folder.mkdir()
    outside.mkdir()
    (outside / "plan.txt").write_text("line\n" * 400, encoding="utf-8")
    seed = "../elsewhere/plan.txt"
    if where == "link":  # a name inside the folder that leads out of it
        (folder / "plan.txt").symlink_to(outside / "plan.txt")
        seed = "plan.txt"
    path = v1_copy(folder, ("source_seed: 000_40cc82fbe8059212.txt", f'source_seed: "{seed}"'))
    before = path.read_bytes()
    rc, _, err = cli("migrate", "--write", str(path))
    assert rc == 1 and "[document-outside]" in err and f"{path} (converted):10:11:" in err, err
    assert "nothing written" in err and "Traceback" not in err
    assert path.read_bytes() == before and not (folder / "plan.yaml.bak").exists()
    assert cli("validate", str(path))[0] == 1  # still version 1, as the loader says



def test_a_version_1_campaign_without_source_seed_is_not_called_converted(tmp_path: Path) -> None:
    # big run of issue 23: inputs 5548 and 6288 of 10,000 (seed 23) had 'schema_version: 1' and no
    # 'source_seed': their citations were converted, "converted to version 2", still version 1
    path = v1_copy(tmp_path, ("source_seed: 000_40cc82fbe8059212.txt\n", ""))
    before = path.read_bytes()
    rc, out, err = cli("migrate", "--write", str(path))
    assert rc == 2 and "[cannot-convert]" in err and f"{path}:4:17:" in err and "'source_seed'" in err, out + err
    assert path.read_bytes() == before and not (tmp_path / "plan.yaml.bak").exists()


# lone surrogates and numbers that are not finite ------------------------------------------------

FACTS = {
    "yaml": 'subjects:\n  - {id: "NV-\\ud800", kind: individual, role: member}\n',
    "json": '{"subjects": [{"id": "NV-1", "kind": "individual", "role": "member", "name": "A\\ud800"}]}',
    "json-unit": '{"subjects": [{"id": "NV-1", "kind": "individual", "role": "member", "unit": "\\udfff"}]}',
}


@pytest.mark.parametrize("kind", sorted(FACTS))
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_lone_surrogate_in_facts_is_refused_at_reading(tmp_path: Path, kind: str, fmt: str) -> None:
    # issue: '"\ud800" in a JSON/YAML facts name, id or unit is accepted; then every output
    # except xlsx fails with a UnicodeEncodeError traceback'
    path = tmp_path / f"facts.{kind.split('-')[0]}"
    path.write_text(FACTS[kind], encoding="utf-8")
    rc, _, err = cli("evaluate", TKV, "--facts", str(path), "--format", fmt, "--output", str(tmp_path / "o"))
    assert rc == 2 and "[bad-character]" in err and f"{path}:" in err and "lone surrogate" in err, err


def test_a_campaign_title_with_a_lone_surrogate_is_refused(tmp_path: Path) -> None:
    # issue: "a campaign title with one breaks --format html"
    path = tmp_path / "probe.yaml"
    path.write_text(PROBE.replace('title: {vi: "Thử"', 'title: {vi: "Thử\\ud800"').replace(
        "CONDITION", '{fact: x, op: ">=", value: 1}'), encoding="utf-8")
    facts = tmp_path / "f.yaml"
    facts.write_text("subjects:\n  - {id: U1, kind: collective, level: unit, facts: {x: 2}}\n", encoding="utf-8")
    rc, _, err = cli("evaluate", str(path), "--facts", str(facts), "--format", "html", "--output",
                     str(tmp_path / "r.html"))
    assert rc == 2 and "[bad-character]" in err and f"{path}:5:" in err, err


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1.0e+999"])
def test_a_threshold_that_is_not_finite_is_refused_with_the_text_present(tmp_path: Path, value: str) -> None:
    # issue: "A NaN or Inf threshold gives a ValueError traceback when the document text is present"
    (tmp_path / "probe.txt").write_text("thử 1\n", encoding="utf-8")
    path = probe_campaign(tmp_path, "CONDITION")
    path.write_text(path.read_text(encoding="utf-8").replace('"CONDITION"', f'{{fact: x, op: ">=", value: {value}}}'),
                    encoding="utf-8")
    rc, out, err = cli("validate", str(path))
    assert rc == 1 and "[invalid-value]" in out and "not a finite number" in out, out + err


def test_a_facts_number_that_is_not_finite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text('{"subjects": [{"id": "U1", "kind": "collective", "level": "unit", "facts": {"x": 1e999}}]}',
                    encoding="utf-8")
    rc, _, err = cli("evaluate", str(probe_campaign(tmp_path, {"fact": "x", "op": ">=", "value": 1})),
                     "--facts", str(path))
    assert rc == 2 and "[invalid-value]" in err and "not a finite number" in err, err


def test_an_over_long_text_path_is_not_an_output_error(tmp_path: Path) -> None:
    # issue: "an over-long text: path gives a bare OSError misreported as 'cannot write the output'"
    path = probe_campaign(tmp_path, {"fact": "x", "op": ">=", "value": 1})
    path.write_text(path.read_text(encoding="utf-8").replace("text: probe.txt", "text: " + "a" * 5000),
                    encoding="utf-8")
    rc, out, err = cli("validate", "--verbose", str(path))
    assert rc == 0 and "cannot write" not in err and "text not found" in out, out + err


# documents outside the campaign's folder ---------------------------------------------------------


@pytest.mark.parametrize("text", ["../../../../../../../../../../etc/passwd", "/proc/self/environ", "link.txt"])
def test_a_document_text_outside_the_campaign_folder_is_not_read(tmp_path: Path, monkeypatch, text: str) -> None:
    # issue: "documents[].text may name any file on the machine (../../../../etc/passwd,
    # /proc/self/environ): only its line count leaks"
    monkeypatch.delenv("EMULATION_RULES_DOCUMENTS", raising=False)
    (tmp_path / "link.txt").symlink_to("/etc/passwd")
    path = probe_campaign(tmp_path, {"fact": "x", "op": ">=", "value": 1})
    path.write_text(path.read_text(encoding="utf-8").replace("text: probe.txt", f"text: {text}").replace(
        "lines: 1}", "lines: 999}"), encoding="utf-8")
    rc, out, _ = cli("validate", str(path))
    assert rc == 1 and "[document-outside]" in out and f"{path}:7:" in out, out
    assert "bad-citation" not in out  # the text was never read: its line count stays unknown
    monkeypatch.setenv("EMULATION_RULES_DOCUMENTS", "/etc")  # a configured directory is read
    if text.endswith("passwd"):
        rc, out, _ = cli("validate", str(path))
        assert "[document-outside]" not in out and "[bad-citation]" in out, out


# backend choice and --bulk ----------------------------------------------------------------------


def nested_any(depth: int) -> object:
    cond: object = {"fact": "x", "op": ">=", "value": 1}
    for i in range(depth):
        cond = {"any": [cond, {"fact": "x", "op": "==", "value": -i - 5}]}
    return cond


def test_fifteen_nested_any_evaluate_under_auto_and_bulk(tmp_path: Path) -> None:
    # issue: "Fifteen nested any levels validate and the python backend evaluates them; the
    # default backend (auto) and --bulk refuse with 'too large for durable-rules'"
    path = probe_campaign(tmp_path, nested_any(15))
    facts = tmp_path / "f.yaml"
    facts.write_text("subjects:\n  - {id: U1, kind: collective, level: unit, facts: {x: 3}}\n", encoding="utf-8")
    rc, out, err = cli("evaluate", str(path), "--facts", str(facts), "--format", "json")
    assert rc == 0, err
    data = json.loads(out)
    assert [(s["id"], a["verdict"]) for s in data["subjects"] for a in s["awards"]] == [("U1", "awarded")]
    assert data["backend"] == "python"
    rows = tmp_path / "f.csv"
    rows.write_text("id,kind,level,x\nU1,collective,unit,3\n", encoding="utf-8")
    rc, _, err = cli("evaluate", str(path), "--bulk", "--facts", str(rows), "--output", str(tmp_path / "o.csv"))
    assert rc == 0, err
    assert "U1,collective,unit,,prize,awarded" in (tmp_path / "o.csv").read_text(encoding="utf-8")


def test_bulk_says_what_it_does_with_backend(tmp_path: Path) -> None:
    # issue: "--bulk ignores --backend without a word"
    rows = tmp_path / "f.csv"
    rows.write_text("id,kind,level,x\nU1,collective,unit,3\n", encoding="utf-8")
    path = probe_campaign(tmp_path, {"fact": "x", "op": ">=", "value": 1})
    rc, _, err = cli("evaluate", str(path), "--bulk", "--backend", "python", "--facts", str(rows),
                     "--output", str(tmp_path / "o.csv"))
    assert rc == 0 and "--bulk scores every row with the polars backend" in err and "--backend python" in err


# minor --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_replay_never_creates_a_decision_log(tmp_path: Path, state: str) -> None:
    pytest.importorskip("sqlalchemy")
    db = tmp_path / "log.sqlite"
    if state == "empty":
        db.write_bytes(b"")
    rc, _, err = cli("replay", "3f2b0c1e-0000-4000-8000-000000000000", "--log-db", str(db), "--campaigns",
                     str(tmp_path))
    assert rc == 2 and "cannot read the decision log" in err, err
    assert (db.exists(), db.stat().st_size if db.exists() else None) == ((False, None) if state == "missing"
                                                                          else (True, 0))


def test_test_says_what_dev_zero_is() -> None:
    # issue: "test /dev/zero says 'no such file'"
    rc, out, err = cli("test", "/dev/zero")
    assert rc == 2 and "a character device" in out + err and "no such file" not in out + err


def test_new_refuses_year_zero(tmp_path: Path) -> None:
    # issue: "new --year 0 writes files that fail their own validation"
    rc, _, err = cli("new", "probe", "--year", "0", "--dir", str(tmp_path))
    assert rc == 2 and "four-digit year" in err and not os.listdir(tmp_path)
