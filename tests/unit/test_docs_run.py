"""Docs that run (issue 22, item 5): every fenced example of README.md and docs/*.md is run.

The blocks are found by Sybil (a well-kept documentation tester: fenced-block lexing, Python
evaluation with one namespace per document, skip markers); this module says what running a
block means for each language:

* ``sh``: each command (``\\`` continues a line, ``&&`` chains, ``> FILE`` redirects stdout) is
  ``emulation-rules ...`` run in-process, in a working directory holding copies of the
  repository's ``campaigns/``, ``examples/`` and ``tests/data/service/``, shared by the blocks
  of one document in order; it must exit 0, or the code a trailing ``# exit N`` names. Install
  steps (``python3 -m venv``, ``. .venv/bin/activate``, ``pip install``) and ``python -m pytest``
  are not run: the suite already runs in the installed environment (``tests/unit/test_wheel.py``
  installs the wheel). Any other program fails: mark such a block skipped.
* ``python``: executed (one namespace per document), in the same working directory.
* ``yaml``: validated as what it is: a campaign (``schema_version``) is loaded, a case file
  (``cases``) is loaded and its cases must pass, a facts file (``subjects``) is loaded against
  its ``campaign``, a tree of units (``units``) is loaded.
* ``json``: parsed.

Markers, HTML comments on the line before a block (invisible on GitHub):

* ``<!-- skip: next "why" -->`` (Sybil's own): the block is not run, and the reason is shown.
* ``<!-- fragment: campaign -->``: a part of a campaign file; each top-level key is validated
  against the campaign model (e.g. ``quotas:`` as a list of quotas).
* ``<!-- fragment: facts -->``, ``<!-- fragment: response -->``: a shortened facts file or an
  HTTP response (``…`` stands for what is left out): only parsed as YAML, not run.

Data a command names as the user's own (``members.csv``, ``members.parquet``) is made from the
shipped TKV example individuals (one renamed ``NV-000123``).
"""

from __future__ import annotations

import contextlib
import glob
import io
import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter
from sybil import Example, Region, Sybil
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer

from emulation_rules.authoring.case_files import load_cases
from emulation_rules.authoring.cases import run_case_file
from emulation_rules.campaign.model import Campaign
from emulation_rules.campaign.opening import load_campaign
from emulation_rules.cli.app import run
from emulation_rules.facts.load import load_facts

from ..conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NOT_RUN = re.compile(r"^(python3? -m venv\b|\. \S*activate$|pip install\b|python3? -m pytest\b)")
FRAGMENT = "_fragment_next"
LANGS = ("sh", "yaml", "json", "python")


def _fragment(document: Any) -> Any:
    for lexed in DirectiveInHTMLCommentLexer(directive="fragment", arguments=r"\w+")(document):
        kind = lexed.lexemes["arguments"]

        def mark(example: Example, kind: str = kind) -> None:
            example.namespace[FRAGMENT] = kind

        yield Region(lexed.start, lexed.end, kind, mark)


def _workspace(example: Example) -> Path:
    return Path(example.namespace["__workspace__"])


def _commands(block: str) -> list[tuple[str, int]]:
    text = re.sub(r"\\\n\s*", " ", block)
    out = []
    for line in text.splitlines():
        expected = re.search(r"#\s*exit (\d)\b", line)
        for part in line.split("&&"):
            if part.strip() and not part.strip().startswith("#"):
                out.append((part.strip(), int(expected[1]) if expected else 0))
    return out


def run_sh(example: Example) -> None:
    workspace = _workspace(example)
    for command, expected in _commands(example.parsed):
        argv = shlex.split(command, comments=True)
        if not argv or NOT_RUN.match(" ".join(argv)):
            continue
        assert argv[0] == "emulation-rules", (
            f"{command!r} is not an emulation-rules command: mark the block <!-- skip: next \"why\" -->")
        assert argv[1:2] != ["serve"], "serve runs until stopped: mark the block <!-- skip: next \"why\" -->"
        target = None
        if ">" in argv:
            i = argv.index(">")
            argv, target = argv[:i], argv[i + 1]
        args = [a for arg in argv[1:] for a in (sorted(glob.glob(arg)) if "*" in arg else [arg])]
        out, err = io.StringIO(), io.StringIO()
        code = run(args, stdout=out, stderr=err)
        assert code == expected, f"{command}\nexit {code}\n{out.getvalue()[-2000:]}\n{err.getvalue()[-2000:]}"
        assert "Traceback" not in err.getvalue()
        if target is not None:
            (workspace / target).write_text(out.getvalue(), encoding="utf-8")


def check_yaml(example: Example) -> None:
    kind = example.namespace.pop(FRAGMENT, None)
    data = yaml.safe_load(example.parsed)
    workspace = _workspace(example)
    name = f"_doc_{Path(example.path).stem}_{example.line}.yaml"
    if kind == "campaign":
        assert isinstance(data, dict)
        for key, value in data.items():
            field = Campaign.model_fields.get(key)
            assert field is not None, f"{key!r} is not a key of a campaign"
            TypeAdapter(field.annotation).validate_python(value)
        return
    if kind is not None:  # a shortened facts file or response: parsed above, that is all
        return
    assert isinstance(data, dict), "a YAML example is a mapping, or marked <!-- fragment: ... -->"
    if "schema_version" in data:
        path = workspace / "campaigns" / name
        path.write_text(example.parsed, encoding="utf-8")
        load_campaign(path)
    elif "cases" in data:
        path = workspace / "campaigns" / "cases" / name
        path.write_text(example.parsed, encoding="utf-8")
        failed = [r for r in run_case_file(load_cases(path)) if not r.passed]
        assert not failed, [str(m) for r in failed for m in r.mismatches]
    elif "units" in data:  # a tree of units (the roll-up)
        from emulation_rules.facts.units import load_units

        path = workspace / name
        path.write_text(example.parsed, encoding="utf-8")
        load_units(path)
    elif "subjects" in data:
        path = workspace / name
        path.write_text(example.parsed, encoding="utf-8")
        load_facts(path, load_campaign(data["campaign"]))
    else:
        raise AssertionError(f"which file is this? keys {sorted(data)}: mark it <!-- fragment: ... -->")


def check_json(example: Example) -> None:
    if example.namespace.pop(FRAGMENT, None) is None:
        json.loads(example.parsed)


SYBIL = Sybil(parsers=[
    SkipParser(),
    _fragment,
    CodeBlockParser("sh", run_sh),
    CodeBlockParser("yaml", check_yaml),
    CodeBlockParser("json", check_json),
    PythonCodeBlockParser(),
])


def _examples() -> list[Example]:
    return [example for doc in DOCS for example in SYBIL.parse(doc)]


EXAMPLES = _examples()


def _id(example: Example) -> str:
    return f"{Path(example.path).relative_to(ROOT)}:{example.line}"


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    """One working directory per document: the repository's campaigns, examples, service data."""
    made: dict[str, Path] = {}

    def get(doc: str) -> Path:
        if doc not in made:
            w = tmp_path_factory.mktemp(Path(doc).stem.replace(".", "_"))
            shutil.copytree(ROOT / "campaigns", w / "campaigns")
            shutil.copytree(ROOT / "examples", w / "examples")
            shutil.copytree(ROOT / "tests" / "data" / "service", w / "tests" / "data" / "service")
            rows = (ROOT / "examples" / "tkv_2019" / "individuals.csv").read_text(encoding="utf-8")
            (w / "members.csv").write_text(rows.replace("NV-101,", "NV-000123,", 1), encoding="utf-8")
            with contextlib.suppress(ImportError):
                import polars as pl

                pl.read_csv(w / "members.csv").write_parquet(w / "members.parquet")
            made[doc] = w
        return made[doc]

    return get


@pytest.mark.parametrize("example", EXAMPLES, ids=_id)
def test_the_example_runs(example, workspaces, monkeypatch):
    workspace = workspaces(example.path)
    example.namespace["__workspace__"] = str(workspace)
    monkeypatch.chdir(workspace)
    example.evaluate()


NOT_FROM_HELP = {
    "migrate": "needs the user's own version 1 file (tests/unit/test_documents.py migrates one)",
    "serve": "runs until stopped (tests/service/test_http.py)",
    "replay": "needs a decision logged by a running server (tests/service/test_http.py)",
}


def test_the_help_examples_run_from_an_empty_directory(tmp_path, monkeypatch):
    """``emulation-rules --help`` lists examples: each runs from a directory holding nothing,
    in order (``example`` writes the facts the next lines read)."""
    from emulation_rules.cli.app import EPILOG

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EMULATION_RULES_DOCUMENTS", raising=False)
    lines = [ln.strip() for ln in EPILOG.splitlines() if ln.strip().startswith("emulation-rules ")]
    ran = 0
    for line in lines:
        if shlex.split(line, comments=True)[1] in NOT_FROM_HELP:
            continue
        example = type("E", (), {"parsed": line, "namespace": {"__workspace__": str(tmp_path)}})()
        run_sh(example)  # type: ignore[arg-type]
        ran += 1
    assert ran >= 15


def test_every_fenced_example_is_collected():
    """No fenced block of a runnable language escapes the collector (a lexing slip would)."""
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        fences = re.findall(r"^```(sh|yaml|json|python)\s*$", text, flags=re.MULTILINE)
        mine = [e for e in EXAMPLES if e.path == str(doc) and e.region.lexemes.get("arguments") in LANGS]
        assert len(mine) == len(fences), (doc, len(mine), len(fences))
