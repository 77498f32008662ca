"""Regressions of issue 12: never a traceback, never a hang, never a native crash.

One test (or one parametrised group) per numbered finding of the issue, each with the exit
code or error code it must give. Inputs that once crashed the interpreter (SIGSEGV inside
durable-rules) run in a subprocess, so a crash fails the test instead of killing pytest.
Data files are under ``tests/regressions/issue_12/``; the probe campaign there is synthetic
(no plan clause): the expected verdicts come from the python backend, the reference.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from emulation_rules import Engine
from emulation_rules.campaign.opening import load_campaign
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.evaluate.durable import limits

HERE = Path(__file__).parent / "issue_12"
PROBE = (HERE / "probe_campaign.yaml").read_text(encoding="utf-8")


def probe_campaign(tmp_path: Path, condition: object, name: str = "probe.yaml") -> Path:
    """The probe campaign with ``condition`` (as flow YAML/JSON) as its one criterion."""
    path = tmp_path / name
    path.write_text(PROBE.replace("CONDITION", json.dumps(condition)), encoding="utf-8")
    return path


def facts_file(tmp_path: Path, x: int, name: str = "facts.yaml") -> Path:
    path = tmp_path / name
    path.write_text(
        f"subjects:\n  - {{id: U1, kind: collective, level: unit, facts: {{x: {x}}}}}\n",
        encoding="utf-8",
    )
    return path


def cli(
    *args: str, timeout: float = 120, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh interpreter (a native crash shows as rc < 0)."""
    return subprocess.run(
        [sys.executable, "-m", "emulation_rules", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        input=None if stdin is None else stdin.decode(),
    )


def verdicts(stdout: str) -> list[tuple[str, str, str]]:
    data = json.loads(stdout)
    return [(s["id"], a["award"], a["verdict"]) for s in data["subjects"] for a in s["awards"]]


# 1. A native crash: `any` with 64 or more children ---------------------------------------------


def _raw_durable(n: int) -> subprocess.CompletedProcess[str]:
    """durable-rules alone: the sentinel plus an $or of n matching disjuncts."""
    code = textwrap.dedent(f"""
        from durable import engine as durable
        class Host(durable.Host):
            def _run(self): return None
        leaves = [{{"$gte": {{"f_x": i}}}} for i in range({n})]
        rules = {{"seen": {{"all": [{{"m": {{"seen__": 1}}}}]}},
                 "r": {{"all": [{{"m": {{"$or": leaves}}}}]}}}}
        for rule in rules.values():
            rule["run"] = lambda c: None
        host = Host()
        host.set_rulesets({{"rs": rules}})
        host.assert_fact("rs", {{"sid": "1", "seen__": 1, "f_x": 10000}})
        print("ok")
    """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


# The backend compared with python: durable where durable-rules loads (CPython < 3.13), else polars.
DURABLE_OR_POLARS = "durable" if backend_problem("durable") is None else "polars"


@pytest.mark.skipif(backend_problem("durable") is not None, reason="durable-rules not loadable here")
def test_durable_limit_measured_63_fits_64_breaks() -> None:
    """The boundary limits.py models: 63 disjuncts + sentinel fit durable's 64-slot stack."""
    assert _raw_durable(63).stdout.strip() == "ok"
    broken = _raw_durable(64)
    assert broken.returncode != 0 and "ok" not in broken.stdout  # error 303, or SIGSEGV/SIGABRT
    ors = [{"$or": [{"$gte": {"f_x": i}} for i in range(n)]} for n in (63, 64)]
    assert limits.stack_peak([limits.SENTINEL, ors[0]]) == limits.MAX_STACK
    assert limits.stack_peak([limits.SENTINEL, ors[1]]) == limits.MAX_STACK + 1


@pytest.mark.parametrize("n", [63, 64, 200])
@pytest.mark.parametrize("shape", ["any", "not_all", "in"])
def test_wide_conditions_evaluate_and_agree(tmp_path: Path, n: int, shape: str) -> None:
    leaves = [{"fact": "x", "op": ">=", "value": i} for i in range(n)]
    condition = {
        "any": {"any": leaves},
        "not_all": {"not": {"all": leaves}},
        "in": {"fact": "x", "in": list(range(n))},
    }[shape]
    campaign_path = probe_campaign(tmp_path, condition)
    for x in (5, 10_000):  # some disjuncts match / every disjunct matches
        facts = facts_file(tmp_path, x)
        got = cli(
            "evaluate",
            str(campaign_path),
            "--facts",
            str(facts),
            "--format",
            "json",
            "--backend",
            DURABLE_OR_POLARS,
        )
        assert got.returncode == 0, got.stderr
        expected = Engine(load_campaign(campaign_path), backend="python").evaluate(
            {"subjects": [{"id": "U1", "kind": "collective", "level": "unit", "facts": {"x": x}}]}
        )
        assert verdicts(got.stdout) == [
            (s.subject_id, a.award_id, a.verdict) for s in expected.subjects for a in s.awards
        ]


def test_many_wide_criteria_spread_over_rule_sets() -> None:
    """64 criteria each matching: the root fans out past 64, so rules go to several rule sets."""
    rules = {f"c{i}": {"$gte": {"f_x": i}} for i in range(200)}
    sets = limits.pack(rules)
    assert len(sets) > 1 and [r for s in sets for r in s] == list(rules)
    assert all(limits.fits(s.values()) for s in sets)


def test_sixteen_groups_are_cut_below_durable_sequence_limit() -> None:
    """16 '$and'/'$or' groups in one rule: durable error 113; cut into rules of <= 15 groups."""
    expr = {"$and": [{"$or": [{f"f_a{i}": 1}, {f"f_b{i}": 1}]} for i in range(15)]}
    assert limits.groups(expr) == 16
    parts = limits.split(expr)
    assert len(parts) >= 2 and all(limits.groups(p) <= limits.MAX_GROUPS for p in parts)


# helpers for the in-process command line -----------------------------------------------------


def run_cli(*args: str) -> tuple[int, str, str]:
    """The command line in this process (the real ``run``, real files); no traceback may escape."""
    import io

    from emulation_rules.cli.app import run

    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), stdout=out, stderr=err)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


# 2. Loader tracebacks: control characters, deep nesting, cycles, bad explicit tags -------------

LOADER_CASES = {
    "nul": (b"schema_version: 1\nid: a\x00b\n", "bad-character", "2:6"),
    "esc": (b"schema_version: 1\ntitle: \x1b[0m\n", "bad-character", "2:8"),
    "del": (b"schema_version: 1\nid: x\x7f\n", "bad-character", "2:6"),
    "u+ffff": ("schema_version: 1\nid: x\uffff\n".encode(), "bad-character", "2:6"),
    "deep-flow": (b"a: " + b"[" * 450 + b"]" * 450 + b"\n", "too-deep", "1:67"),  # the 65th level
    "deep-block": ("".join("  " * i + "- \n" for i in range(450)).encode(), "too-deep", "65:129"),
    "self-alias": (b"a: &a [*a]\n", "recursive-alias", "1:8"),
    "bool-maybe": (b"schema_version: !!bool maybe\n", "invalid-value", "1:17"),
    "timestamp-hello": (b"schema_version: !!timestamp hello\n", "invalid-value", "1:17"),
    "binary": (b"schema_version: !!binary aGVsbG8=\n", "unsafe-tag", "1:17"),
    "empty-float": (
        b"schema_version: !!float\nid: x\n",
        "invalid-value",
        "1:17",
    ),  # found by fuzzing
}


@pytest.mark.parametrize("case", sorted(LOADER_CASES))
def test_loader_refuses_with_located_problem(tmp_path: Path, case: str) -> None:
    data, code, where = LOADER_CASES[case]
    path = write(tmp_path, "campaign.yaml", data)
    rc, out, _ = run_cli("validate", str(path))
    assert rc == 1  # problems in the campaign
    assert f"{path}:{where}: " in out and f"[{code}]" in out, out


@pytest.mark.parametrize("depth", [200, 400])
@pytest.mark.parametrize("kind", ["all", "not"])
def test_deep_valid_conditions_are_refused_not_recursed(
    tmp_path: Path, depth: int, kind: str
) -> None:
    cond: object = {"fact": "x", "op": ">=", "value": 1}
    for _ in range(depth):
        cond = {"all": [cond]} if kind == "all" else {"not": cond}
    path = probe_campaign(tmp_path, cond)
    rc, out, _ = run_cli("validate", str(path))
    assert rc == 1 and "[too-deep]" in out and f"{path}:" in out


def test_condition_depth_limit_at_the_boundary(tmp_path: Path) -> None:
    """32 levels of 'not' load (and evaluate on both backends); 33 are refused, located."""

    def nested(depth: int) -> object:
        cond: object = {"fact": "x", "op": ">=", "value": 1}
        for _ in range(depth):
            cond = {"not": cond}
        return cond

    ok = probe_campaign(tmp_path, nested(32), "ok.yaml")
    facts = facts_file(tmp_path, 5)
    for backend in (DURABLE_OR_POLARS, "python"):
        rc, out, err = run_cli(
            "evaluate", str(ok), "--facts", str(facts), "--format", "json", "--backend", backend
        )
        assert rc == 0, err
        assert verdicts(out) == [("U1", "prize", "awarded")]  # 32 negations: x >= 1 holds
    rc, out, _ = run_cli("validate", str(probe_campaign(tmp_path, nested(33), "deep.yaml")))
    assert rc == 1 and "[too-deep]" in out


# 3. Limits that bound work: nodes are counted while composing --------------------------------


def test_node_limit_stops_composition(tmp_path: Path) -> None:
    """200k items (400 KB, under the byte limit): refused at the 100,001st node, located."""
    path = write(tmp_path, "wide.yaml", "[" + ",".join(["1"] * 200_000) + "]\n")
    rc, out, _ = run_cli("validate", str(path))
    assert rc == 1 and "[too-many-nodes]" in out
    assert f"{path}:1:200000: " in out  # item 100,000 is node 100,001; '1,' is 2 characters


# 4. Facts tracebacks: huge and deep JSON, overflowing decimals -------------------------------


def _subject(facts: str) -> str:
    return (
        '{"subjects": [{"id": "U1", "kind": "collective", "level": "unit", "facts": '
        + facts
        + "}]}"
    )


FACTS_CASES = {
    "int-5000-digits": (_subject('{"x": ' + "9" * 5000 + "}"), "invalid-value", "1:82"),
    "deep-json": (_subject('{"x": ' + "[" * 2000 + "]" * 2000 + "}"), "too-deep", "1:142"),
    "decimal-400-digits": (_subject('{"share": ' + "9" * 399 + "}"), "invalid-value", "1:86"),
    "empty-json": ("", "json-syntax", "1:1"),
    "empty-yaml": ("", "invalid-value", "1:1"),
}


@pytest.mark.parametrize("case", sorted(FACTS_CASES))
def test_facts_refused_with_located_problem(tmp_path: Path, case: str) -> None:
    text, code, where = FACTS_CASES[case]
    campaign = probe_campaign(tmp_path, {"fact": "x", "op": ">=", "value": 1})
    facts = write(tmp_path, "facts.yaml" if case.endswith("yaml") else "facts.json", text)
    rc, _, err = run_cli("evaluate", str(campaign), "--facts", str(facts))
    assert rc == 2, err  # bad input
    assert f"{facts}:{where}: " in err and f"[{code}]" in err, err


def test_records_cell_with_huge_integer_is_a_located_problem(tmp_path: Path) -> None:
    from emulation_rules.errors import FactsError
    from emulation_rules.facts.reader import parse_facts_csv

    tkv = load_campaign(Path(__file__).parents[2] / "campaigns" / "tkv_2019.yaml")
    cell = '"[{""title"": ' + "1" * 5000 + '}]"'
    text = f"id,kind,role,initiatives\nNV-1,individual,member,{cell}\n"
    with pytest.raises(FactsError) as info:
        parse_facts_csv(text, tkv, file="members.csv")
    problem = info.value.problems[0]
    assert problem.code == "invalid-value" and str(problem.location) == "members.csv:2:4"


# 5. Unlocated errors: empty campaign, JSON positions whatever the layout, duplicate keys -----


def test_empty_campaign_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.yaml", "")
    rc, out, _ = run_cli("validate", str(path))
    assert rc == 1 and out.startswith(f"{path}:1:1: ")


@pytest.mark.parametrize("layout", ["tabs", "u2028-key", "duplicate-key"])
def test_json_facts_problems_keep_file_and_line(tmp_path: Path, layout: str) -> None:
    campaign = probe_campaign(tmp_path, {"fact": "x", "op": ">=", "value": 1})
    bad_value = '"facts": {"x": "many"}'
    text = {
        "tabs": '{\n\t"subjects": [\n\t\t{"id": "U1", "kind": "collective", "level": "unit",\n\t\t '
        + bad_value
        + "}]}",
        "u2028-key": '{"subjects": [{"id": "U1", "kind": "collective", "level": "unit",\n'
        ' "\u2028k": 1, '
        + bad_value
        + "}]}",
        "duplicate-key": '{"subjects": [{"id": "U1", "kind": "collective", "level": "unit",\n'
        ' "id": "U2", ' + bad_value + "}]}",
    }[layout]
    facts = write(tmp_path, "facts.json", text)
    rc, _, err = run_cli("evaluate", str(campaign), "--facts", str(facts))
    assert rc == 2
    problems = [line for line in err.split("\n") if line.endswith("]")]  # not splitlines: U+2028
    assert problems and all(line.startswith(f"{facts}:") for line in problems), err
    if layout == "duplicate-key":
        assert f"{facts}:2:2: subjects[0].id: key 'id' appears twice" in err
    else:
        assert (
            "subjects[0].facts.x" in err and f"{facts}:{2 if layout == 'u2028-key' else 4}:" in err
        )


# 8. One rule for integers: the per-submission path refuses what --bulk refuses ---------------


@pytest.mark.parametrize("value", [2**63, 2**64, -(2**63) - 1, 10**30])
def test_int_fact_outside_64_bits_is_refused(tmp_path: Path, value: int) -> None:
    campaign = probe_campaign(tmp_path, {"fact": "x", "op": ">=", "value": 1})
    facts = facts_file(tmp_path, value)
    rc, _, err = run_cli("evaluate", str(campaign), "--facts", str(facts))
    assert rc == 2 and "64-bit" in err and f"{facts}:2:" in err


# 9. No undocumented lenient parsing: ISO week dates, basic dates, non-ASCII digits -----------


@pytest.mark.parametrize("text", ["2019-W52-7", "20191231", "2019-12-31T00:00"])
def test_only_plain_iso_dates(text: str) -> None:
    from emulation_rules.facts.coerce import to_date

    assert to_date(text) is None
    assert str(to_date("2019-12-31")) == "2019-12-31"


@pytest.mark.parametrize("text", ["١٢٣", "１２３", "1_000", "nan", "inf"])  # noqa: RUF001
def test_numbers_in_text_are_ascii_decimal(text: str) -> None:
    from emulation_rules.campaign import model as m
    from emulation_rules.facts.coerce import Invalid, coerce_value

    for kind in ("int", "decimal"):
        decl = m.FactDecl.model_validate(
            {"id": "n", "applies_to": "collective", "type": kind, "label": {"vi": "n", "en": "n"}}
        )
        assert isinstance(coerce_value(decl, text, from_text=True), Invalid)
        assert coerce_value(decl, "123", from_text=True) == 123


# 6. CLI: output that cannot be written, endless or blocking inputs, parameters ---------------

ROOT = Path(__file__).parents[2]
TKV = ROOT / "campaigns" / "tkv_2019.yaml"
TKV_FACTS = ROOT / "examples" / "tkv_2019" / "facts.yaml"


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
@pytest.mark.parametrize("target", ["missing-dir", "a-directory", "/dev/full"])
def test_unwritable_output_is_exit_2(tmp_path: Path, target: str) -> None:
    if target == "/dev/full" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    out = {
        "missing-dir": str(tmp_path / "no" / "such" / "out.json"),
        "a-directory": str(tmp_path),
        "/dev/full": "/dev/full",
    }[target]
    rc, _, err = run_cli(
        "evaluate", str(TKV), "--facts", str(TKV_FACTS), "--format", "json", "-o", out, "--lang", "en"
    )
    assert rc == 2 and err.startswith("error: cannot write the output: ")


def test_closed_or_full_stdout_is_exit_2_without_traceback() -> None:
    args = [
        sys.executable,
        "-m",
        "emulation_rules",
        "evaluate",
        str(TKV),
        "--facts",
        str(TKV_FACTS),
    ]
    closed = subprocess.run(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        preexec_fn=lambda: __import__("os").close(1),
    )
    assert closed.returncode == 2 and "Traceback" not in closed.stderr
    assert "standard output is closed" in closed.stderr
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            got = subprocess.run(args, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
        assert got.returncode == 2 and "Traceback" not in got.stderr


def test_a_reader_that_closes_the_pipe_early_ends_the_output_quietly() -> None:
    # `evaluate … | head -c 0`: the reader is gone before the first write (our end of the pipe is
    # closed at once: the write fails with EPIPE every time); as `yes | head`, no message and
    # status 141 (128 + SIGPIPE), not "error: cannot write the output: Broken pipe" with exit 2
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulation_rules", "evaluate", str(TKV), "--facts", str(TKV_FACTS),
         "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Broken pipe" not in err and "Traceback" not in err and "lỗi" not in err


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_are_refused(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    rc, _, err = run_cli("evaluate", str(TKV), "--facts", device)
    assert rc == 2 and "[not-a-file]" in err
    rc, out, _ = run_cli("validate", device)
    assert rc == 1 and "character device" in out


def test_fifo_without_writer_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "facts.yaml"
    os.mkfifo(fifo)
    got = cli("evaluate", str(TKV), "--facts", str(fifo), "--lang", "en", timeout=60)
    assert got.returncode == 2 and "a FIFO; give '-' to read standard input" in got.stderr


def test_stdin_is_read_with_dash() -> None:
    got = cli(
        "evaluate", str(TKV), "--facts", "-", "--format", "json", stdin=TKV_FACTS.read_bytes()
    )
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["subjects"]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "-5", "2.5", "1e300"])
def test_bad_param_override_is_exit_2(value: str) -> None:
    rc, out, err = run_cli(
        "evaluate",
        str(TKV),
        "--facts",
        str(TKV_FACTS),
        "--format",
        "json",
        "--param",
        f"many_individuals_min={value}",
    )
    assert rc == 2 and out == "" and "many_individuals_min" in err


def test_good_param_override_keeps_json_standard() -> None:
    rc, out, _ = run_cli(
        "evaluate",
        str(TKV),
        "--facts",
        str(TKV_FACTS),
        "--format",
        "json",
        "--param",
        "many_individuals_min=3",
    )
    assert rc == 0
    json.loads(out, parse_constant=lambda name: pytest.fail(f"non-standard JSON {name}"))


@pytest.mark.parametrize("default", [".nan", ".inf", "true", "'2'", "2.5", "-1"])
def test_parameter_default_checked_by_type(tmp_path: Path, default: str) -> None:
    path = probe_campaign(tmp_path, {"fact": "x", "op": ">=", "param": "many_min"})
    path.write_text(
        path.read_text(encoding="utf-8").replace("    default: 3", f"    default: {default}"),
        encoding="utf-8",
    )
    rc, out, _ = run_cli("validate", str(path))
    assert rc == 1 and f"{path}:22:14: parameters[0].default: " in out and "[invalid-value]" in out


def test_bulk_input_named_csv_that_is_a_fifo_or_device_is_refused(tmp_path: Path) -> None:
    import os

    pytest.importorskip("polars")
    if not hasattr(os, "mkfifo") or not Path("/dev/zero").exists():
        pytest.skip("no FIFOs or /dev/zero here")
    fifo, zero = tmp_path / "members.csv", tmp_path / "zero.csv"
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero):
        got = cli(
            "evaluate",
            str(TKV),
            "--bulk",
            "--facts",
            str(path),
            "-o",
            str(tmp_path / "out.csv"),
            timeout=60,
        )
        assert got.returncode == 2 and "[not-a-file]" in got.stderr, got.stderr


def test_case_search_skips_a_fifo_and_refuses_it_by_name(tmp_path: Path) -> None:
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "cases.yaml"
    os.mkfifo(fifo)
    got = cli(
        "test", str(tmp_path), timeout=60
    )  # searching a directory: the FIFO is not a case file
    assert got.returncode == 2 and "no test cases found" in got.stderr
    got = cli("test", str(fifo), timeout=60)
    assert got.returncode == 2 and "Traceback" not in got.stderr


# 10. Engines are never freed: the same rule sets share one durable host per process ------------


def test_rebuilding_engines_keeps_rss_flat() -> None:
    """500 engines of one campaign add at most 5 MiB (before: ~94 MiB); 100 edited campaigns,
    each a distinct rule set durable-rules never frees, at most 40 MiB (~0.2 MiB each)."""
    if not Path("/proc/self/status").exists():
        pytest.skip("RSS is read from /proc")
    if backend_problem("durable") is not None:
        pytest.skip(f"durable-rules not loadable here: {backend_problem('durable')}")
    code = textwrap.dedent(f"""
        from pathlib import Path
        from emulation_rules import Engine
        from emulation_rules.campaign.opening import load_campaign

        def rss():
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024

        c = load_campaign({str(TKV)!r})
        subject = {{"subjects": [{{"id": "U", "kind": "collective", "level": "grassroots_union",
                                  "facts": {{"launched_campaign": True}}}}]}}
        Engine(c, backend="durable").evaluate(subject)
        start = rss()
        for _ in range(500):
            Engine(c, backend="durable").evaluate(subject)
        same = rss()
        for i in range(100):
            Engine(c, backend="durable", params={{"many_individuals_min": 3 + i}}).evaluate(subject)
        print(same - start, rss() - same)
    """)
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert got.returncode == 0, got.stderr
    same, edited = map(float, got.stdout.split())
    assert same < 5 and edited < 40, (same, edited)


def test_json_facts_over_4_mib_keep_line_and_column(tmp_path: Path) -> None:
    """Positions no longer come from the YAML reader (4 MiB limit): a bad value deep in a large
    JSON file is still located."""
    campaign = probe_campaign(tmp_path, {"fact": "x", "op": ">=", "value": 1})
    rows = [
        {"id": f"U{i}", "kind": "collective", "level": "unit", "facts": {"x": i}}
        for i in range(60_000)
    ]
    rows[-1]["facts"]["x"] = "many"
    facts = write(tmp_path, "big.json", json.dumps({"subjects": rows}, indent=1))
    assert facts.stat().st_size > 4 * 1024 * 1024
    rc, _, err = run_cli("evaluate", str(campaign), "--facts", str(facts))
    line = facts.read_text(encoding="utf-8").splitlines().index('    "x": "many"') + 1
    assert rc == 2 and f"{facts}:{line}:10: subjects[59999].facts.x: " in err, err[:300]


# 7. Memory: the per-submission path refuses large files and reads no further than its limit ---

def test_large_facts_and_campaign_files_are_refused_at_the_limit(tmp_path: Path) -> None:
    from emulation_rules.campaign.safe_yaml import MAX_BYTES
    from emulation_rules.facts.reader import MAX_FACTS_BYTES

    facts = tmp_path / "members.csv"
    with facts.open("wb") as handle:  # sparse: a header, then zero bytes up to 33 MiB
        handle.write(b"id,kind,role\n")
        handle.truncate(MAX_FACTS_BYTES + 1024 * 1024)
    campaign = probe_campaign(tmp_path, {"fact": "x", "op": ">=", "value": 1})
    rc, _, err = run_cli("evaluate", str(campaign), "--facts", str(facts))
    assert rc == 2 and f"{facts}:1: " in err and "[too-large]" in err and "--bulk" in err
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.write(b"schema_version: 1\n")
        handle.truncate(MAX_BYTES + 1024 * 1024)
    rc, out, _ = run_cli("validate", str(big))
    assert rc == 1 and f"{big}:1:1: " in out and "[too-large]" in out
