"""What a cold start and the automatic choice of path rely on (speed itself is measured in
benchmarks/, never here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from emulation_rules import CampaignValidationError, load_campaign
from emulation_rules.campaign import safe_yaml
from emulation_rules.campaign.cache import CACHE_ENV, CampaignCache
from emulation_rules.campaign.figures import DocumentTexts
from emulation_rules.evaluate.base import backend_problem
from tests.conftest import CAMPAIGNS, EXAMPLES, campaign_files


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML without libyaml")
def test_yaml_events_come_from_libyaml_when_pyyaml_has_it():
    assert safe_yaml._Loader is not safe_yaml._PyLoader


@pytest.mark.parametrize("path", [*campaign_files(), *sorted(EXAMPLES.glob("*/facts.yaml"))],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_both_yaml_parsers_give_the_same_data_and_positions(path):
    text = path.read_text(encoding="utf-8")
    fast = safe_yaml._parse(text, str(path), safe_yaml.MAX_NODES, safe_yaml._Loader)
    slow = safe_yaml._parse(text, str(path), safe_yaml.MAX_NODES, safe_yaml._PyLoader)
    assert fast[0] == slow[0]
    assert fast[1] == slow[1]


# --- the campaign cache (campaign/cache.py) ---------------------------------------------------

LDTT = CAMPAIGNS / "ldtt_cstdcs_2025.yaml"  # its document texts ship beside it (campaigns/documents)


@pytest.fixture
def ldtt_copy(tmp_path, monkeypatch):
    """The LĐTT campaign and its texts in a fresh directory, with a fresh cache directory."""
    here = tmp_path / "campaign"
    shutil.copytree(CAMPAIGNS / "documents", here / "documents")
    shutil.copy(LDTT, here / LDTT.name)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return here / LDTT.name


def _entry(path: Path) -> CampaignCache:
    kept = CampaignCache.for_file(path.read_bytes(), path.parent, [])
    assert kept is not None
    return kept


def test_a_campaign_is_kept_and_read_back_equal(ldtt_copy):
    first = load_campaign(ldtt_copy)
    kept = _entry(ldtt_copy)
    assert kept.path.is_file()
    assert kept.get(DocumentTexts(ldtt_copy.parent)) == first
    again = load_campaign(ldtt_copy)
    assert again == first
    assert again.awards[0].criteria[0].source.cite() == first.awards[0].criteria[0].source.cite()


def test_a_campaign_from_the_cache_is_located_without_parsing_it_again(ldtt_copy, monkeypatch):
    """The warning that a rule rests on Nghị định 91/2017 (expired 31/12/2023, ldtt campaign
    ``in_force``) for the 2025 review still says line and column when the campaign came from the
    cache: its source map is kept beside it, and the file is not parsed again to find them."""
    import io

    from emulation_rules.campaign import safe_yaml
    from emulation_rules.cli import force
    from emulation_rules.cli.app import run

    facts = EXAMPLES / "ldtt_cstdcs_2025" / "facts.yaml"
    first = io.StringIO()
    assert run(["evaluate", str(ldtt_copy), "--facts", str(facts), "--lang", "en"],
               stdout=io.StringIO(), stderr=first) == 0
    parsed: list[str] = []
    real = safe_yaml.parse_yaml
    monkeypatch.setattr(force, "parse_yaml", lambda *a, **k: parsed.append("again") or real(*a, **k))
    again = io.StringIO()
    assert run(["evaluate", str(ldtt_copy), "--facts", str(facts), "--lang", "en"],
               stdout=io.StringIO(), stderr=again) == 0
    assert parsed == []
    warned = [line for line in again.getvalue().splitlines() if "document-not-in-force" in line]
    assert warned and warned == [line for line in first.getvalue().splitlines() if "document-not-in-force" in line]
    assert any(f"{ldtt_copy}:234:5: quotas[0]:" in line for line in warned)  # the quota's line in the file


def test_a_campaign_from_the_cache_is_located_in_the_file_named_now(ldtt_copy, monkeypatch):
    """The cache entry is shared by every file of the same bytes in one directory: a copy read
    from it is located in the copy (not in the file the entry was made from), and a path spelled
    another way as spelled, and one read from standard input in ``<stdin>``. The warning is the one above (Nghị định 91/2017, ldtt ``in_force``)."""
    import io

    from emulation_rules.campaign import safe_yaml
    from emulation_rules.cli import force
    from emulation_rules.cli.app import run

    facts = EXAMPLES / "ldtt_cstdcs_2025" / "facts.yaml"
    copy = ldtt_copy.with_name("copy.yaml")
    shutil.copy(ldtt_copy, copy)
    parsed: list[str] = []
    real = safe_yaml.parse_yaml
    monkeypatch.setattr(force, "parse_yaml", lambda *a, **k: parsed.append("again") or real(*a, **k))
    located = []
    for path in (str(ldtt_copy), str(copy), "copy.yaml", "./copy.yaml"):
        if not Path(path).is_absolute():
            monkeypatch.chdir(copy.parent)
        err = io.StringIO()
        assert run(["evaluate", path, "--facts", str(facts), "--lang", "en"],
                   stdout=io.StringIO(), stderr=err) == 0
        warned = [line for line in err.getvalue().splitlines() if "document-not-in-force" in line]
        assert warned and all(line.startswith(f"warning: {path}:") for line in warned), (path, warned)
        located.append([line.replace(path, "FILE", 1) for line in warned])
    assert parsed == []  # each from the one entry's source map, named as given
    assert all(lines == located[0] for lines in located)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(copy.read_bytes())))  # never cached
    err = io.StringIO()
    assert run(["evaluate", "-", "--facts", str(facts), "--lang", "en"], stdout=io.StringIO(), stderr=err) == 0
    warned = [line for line in err.getvalue().splitlines() if "document-not-in-force" in line]
    assert warned and all(line.startswith("warning: <stdin>:") for line in warned), warned
    monkeypatch.setattr(force, "source_map_of", lambda campaign: None)  # as parsing the file again gives
    err = io.StringIO()
    assert run(["evaluate", "copy.yaml", "--facts", str(facts), "--lang", "en"], stdout=io.StringIO(), stderr=err) == 0
    assert parsed == ["again"]
    assert [line.replace("copy.yaml", "FILE", 1) for line in err.getvalue().splitlines()
            if "document-not-in-force" in line] == located[0]


def test_a_damaged_entry_is_a_miss_and_is_written_again(ldtt_copy):
    first = load_campaign(ldtt_copy)
    kept = _entry(ldtt_copy)
    whole = kept.path.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"", whole[:32] + b"\x00" * (len(whole) - 32)):
        kept.path.write_bytes(damaged)
        assert kept.get(DocumentTexts(ldtt_copy.parent)) is None
        assert load_campaign(ldtt_copy) == first
        assert kept.path.read_bytes() == whole  # written again, whole


def test_a_changed_text_is_checked_again(ldtt_copy):
    load_campaign(ldtt_copy)
    for text in (ldtt_copy.parent / "documents").glob("*.txt"):  # the cited lines no longer there
        text.write_text("(trống)\n", encoding="utf-8")
    assert _entry(ldtt_copy).get(DocumentTexts(ldtt_copy.parent)) is None
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(ldtt_copy)
    assert "bad-citation" in {p.code for p in info.value.problems}


def test_a_changed_campaign_is_validated_again(ldtt_copy):
    load_campaign(ldtt_copy)
    ldtt_copy.write_text(ldtt_copy.read_text(encoding="utf-8") + "unknown_top_level_key: 1\n",
                         encoding="utf-8")
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(ldtt_copy)
    assert "unknown-key" in {p.code for p in info.value.problems}


def test_the_cache_can_be_turned_off(ldtt_copy, monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, "off")
    load_campaign(ldtt_copy)
    assert CampaignCache.for_file(ldtt_copy.read_bytes(), ldtt_copy.parent, []) is None
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_is_no_error(ldtt_copy, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert load_campaign(ldtt_copy).id == "ldtt_cstdcs_2025"


# --- what evaluate imports --------------------------------------------------------------------

NOT_FOR_EVALUATE = ("emulation_rules.authoring", "emulation_rules.service", "emulation_rules.results.html",
                    "emulation_rules.results.workbook", "emulation_rules.evaluate.polars", "polars",
                    "pyarrow", "openpyxl", "python_calamine", "jinja2", "fastapi", "uvicorn",
                    "sqlalchemy", "hypothesis", "psycopg", "emulation_rules.results.rollup",
                    "emulation_rules.facts.units", "emulation_rules.facts.many", "emulation_rules.results.impact",
                    "emulation_rules.advice", "emulation_rules.facts.initiatives", "emulation_rules.facts.cycle",
                    "emulation_rules.facts.forwarded")
NOT_FROM_THE_CACHE = ("tempfile", "shutil", "zipfile", "difflib", "calendar", "emulation_rules.campaign.figures",
                      "csv", "emulation_rules.facts.json_text", "pydantic", "pydantic_core", "annotated_types",
                      "emulation_rules.campaign.model", "emulation_rules.campaign.loader",
                      "emulation_rules.campaign.checks")
"""Modules only writing a cache entry, reading a workbook, suggesting a spelling, checking a
cited date, checking figures against the plan's text, reading CSV or JSON facts (or JSON in a
table's cell) or writing CSV need (with the campaign from the cache and YAML facts, none of
these; shutil neither: the parsers' help width is found without it); nor pydantic, the campaign
model, the loader or the checks: the campaign comes back as plain twins (campaign/twins.py)."""


def test_evaluate_imports_only_what_it_uses(tmp_path):
    """``evaluate`` on one unit loads no authoring, service, report or columnar module (they
    cost most of a cold start); checked in a fresh interpreter, from the cache and without it."""
    probe = (
        "import io, sys\n"
        "from emulation_rules.cli.app import run\n"
        f"code = run(['evaluate', {str(LDTT)!r}, '--facts', {str(EXAMPLES / 'ldtt_cstdcs_2025' / 'facts.yaml')!r}],"
        " stdout=io.StringIO())\n"
        "assert code == 0, code\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    for run, cache in enumerate((str(tmp_path / "cache"), str(tmp_path / "cache"), "off")):  # miss, hit, off
        env = {**os.environ, CACHE_ENV: cache}
        proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              env=env, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
        loaded = proc.stdout.split()
        assert "emulation_rules.engine" in loaded
        unwanted = [m for m in loaded if m.startswith(NOT_FOR_EVALUATE)]
        assert not unwanted, (cache, unwanted)
        if run == 1:  # the campaign from the cache
            assert not set(NOT_FROM_THE_CACHE) & set(loaded)
        # durable-rules' core only (where it loads: the default backend is durable there): its
        # host's package (and the logging it sets up) is not needed
        assert ("durable_rules_engine" in loaded) == (backend_problem("durable") is None)
        assert not {"durable", "durable.engine", "logging"} & set(loaded), cache


def test_the_command_lines_imports_leave_the_young_generation_empty():
    """What importing the command line made (gc is off meanwhile) is moved to the oldest
    generation unscanned: otherwise the first collection after gc is turned back on scans all of
    it, some 43,000 objects (10-30 ms of every command's start)."""
    probe = ("import gc\nimport emulation_rules.cli\n"
             "print(gc.isenabled(), len(gc.get_objects(0)), len(gc.get_objects(2)), gc.get_freeze_count())\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    enabled, young, old, frozen = proc.stdout.split()
    assert enabled == "True" and frozen == "0"
    assert int(young) < 1_000 and int(old) > 20_000  # (scanned once, they would be in the middle one)


def test_evaluate_defines_its_frozen_dataclasses_cheaply(tmp_path):
    """Every frozen dataclass of the modules ``evaluate`` loads is made by ``emulation_rules.frozen``
    (shared comparison, hash and repr; ``dataclass(frozen=True)`` compiles six functions a class)."""
    probe = (
        "import dataclasses, io, sys\n"
        "from emulation_rules.cli.app import run\n"
        f"run(['evaluate', {str(LDTT)!r}, '--facts', {str(EXAMPLES / 'ldtt_cstdcs_2025' / 'facts.yaml')!r}],"
        " stdout=io.StringIO())\n"
        "for name, mod in sorted(sys.modules.items()):\n"
        "    for cls in vars(mod).values() if name.startswith('emulation_rules') else ():\n"
        "        if (isinstance(cls, type) and cls.__module__ == name and dataclasses.is_dataclass(cls)\n"
        "                and cls.__dataclass_params__.frozen and '__eq__' in vars(cls)\n"
        "                and cls.__eq__.__module__ != 'emulation_rules.frozen'):\n"
        "            print(name, cls.__qualname__)\n"
    )
    for _ in ("miss", "hit"):
        proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                              check=False, env={**os.environ, CACHE_ENV: str(tmp_path / "cache")})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == ""


def test_entries_are_readable_by_their_owner_only(ldtt_copy):
    load_campaign(ldtt_copy)
    kept = _entry(ldtt_copy)
    assert kept.path.stat().st_mode & 0o077 == 0
    assert kept.path.parent.stat().st_mode & 0o077 == 0


def test_conditions_built_at_run_time_need_no_validation_first():
    """A process that never validated a campaign (it came from the cache) still builds the
    conditions advice and the council's vote make at run time (their validators are built
    then: evaluate --reviewed once failed here with PydanticUserError)."""
    probe = (
        "from emulation_rules.campaign import model as m\n"
        "from emulation_rules.advice import _as_facts\n"
        "assert not m._BUILT\n"
        "leaf = m.Compare.model_construct(fact=None, field='benefit', op='>=', value=1, param=None)\n"
        "cond = _as_facts(m.AllOf.model_construct(all=(leaf, leaf)))\n"
        "print(type(cond).__name__, cond.all[0].fact)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["AllOf", "benefit"]


def test_the_model_modules_give_pydantic_types_rather_than_text():
    """Every campaign module defining models does without ``from __future__ import annotations``
    (see ``campaign.common._Model``): their annotations are types when pydantic reads them."""
    import __future__

    import importlib
    import pkgutil

    from emulation_rules import campaign
    from emulation_rules.campaign.common import _Model

    modules = [importlib.import_module(f"emulation_rules.campaign.{info.name}")
               for info in pkgutil.iter_modules(campaign.__path__)]
    defining = [mod for mod in modules
                if any(isinstance(v, type) and issubclass(v, _Model) and v.__module__ == mod.__name__
                       for v in vars(mod).values())]
    assert len(defining) >= 10
    stringly = [mod.__name__ for mod in defining if getattr(mod, "annotations", None) is __future__.annotations]
    assert not stringly
