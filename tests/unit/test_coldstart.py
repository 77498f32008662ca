"""What a cold start skips must change nothing a person sees: the command line built for one
sub-command parses and prints as the whole one, and the message index kept between runs is the
one computed (speed itself is measured in benchmarks/bench_coldstart.py)."""

from __future__ import annotations

import argparse
import io

import pytest

from emulation_rules import messages
from emulation_rules.campaign.cache import CACHE_ENV
from emulation_rules.cli import app
from emulation_rules.cli.app import build_parser, run
from emulation_rules.messages import _kept
from tests.conftest import CAMPAIGNS, EXAMPLES


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sub.choices  # type: ignore[return-value]


WHOLE = build_parser()
COMMANDS = sorted(_commands(WHOLE))


def test_every_command_is_there_and_only_the_one_asked_for_is_built():
    assert {"evaluate", "explain", "validate", "serve", "register", "rollup", "diff", "campaigns"} <= set(COMMANDS)
    built = [c for c, p in _commands(build_parser(command="evaluate")).items() if isinstance(p, argparse.ArgumentParser)]
    assert built == ["evaluate"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_parser_built_for_one_command_helps_and_parses_as_the_whole_one(command):
    one = build_parser(command=command)
    assert one.format_help() == WHOLE.format_help()  # every command listed, with its help line
    assert one.format_usage() == WHOLE.format_usage()
    mine, whole = _commands(one)[command], _commands(WHOLE)[command]
    assert mine.format_help() == whole.format_help()  # its every option
    assert [(a.dest, a.option_strings, a.default) for a in mine._actions] == \
        [(a.dest, a.option_strings, a.default) for a in whole._actions]


@pytest.mark.parametrize("argv", [
    ["evaluate", "tkv_2019", "--facts", "f.yaml", "--format", "json", "--param", "a=1", "--lang", "en"],
    ["explain", "tkv_2019", "--facts", "f.yaml", "--subject", "A1"],
    ["register", "history", "db.sqlite", "--subject", "A07"],
    ["test", "tkv_2019", "--coverage"],
])
def test_the_same_arguments_are_read(argv):
    assert vars(build_parser(command=argv[0]).parse_args(argv)) == vars(WHOLE.parse_args(argv))


@pytest.mark.parametrize("argv", [[], ["--help"], ["evalute"], ["evaluate", "--help"], ["evaluate"],
                                  ["register", "add", "--help"], ["--version"]])
def test_usage_help_and_errors_read_as_before(argv):
    """``run`` builds the parser for the command argv starts with; what it prints and its exit
    code are those of the whole parser (a mistyped command lists every command)."""
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, stdout=out, stderr=err)
    whole_out, whole_err = io.StringIO(), io.StringIO()
    app._current_stdout[0] = whole_out
    with pytest.raises(app._Exit) as whole:
        build_parser(whole_err).parse_args(argv)  # type: ignore[arg-type]
    assert (code, out.getvalue()) == (whole.value.status, whole_out.getvalue())
    if argv == ["evalute"]:  # usage errors come in Vietnamese through run; every command listed
        assert all(f"'{c}'" in err.getvalue() for c in COMMANDS)


@pytest.mark.parametrize("columns", [None, "50", "133", "0", "wide"])
def test_help_is_as_wide_as_argparse_makes_it_by_itself(columns, monkeypatch):
    """The parsers give their help formatter the width argparse would find through shutil
    ($COLUMNS, else the terminal, else 80; shutil is not imported for it)."""
    import shutil

    from emulation_rules.cli.options import help_width

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert help_width() == shutil.get_terminal_size().columns - 2
    parser = build_parser(command="evaluate")
    assert parser._get_formatter()._width == argparse.HelpFormatter("x")._width
    assert _commands(parser)["evaluate"]._get_formatter()._width == argparse.HelpFormatter("x")._width


def test_evaluate_reads_as_before_in_both_languages(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    argv = ["evaluate", str(CAMPAIGNS / "ldtt_cstdcs_2025.yaml"), "--facts",
            str(EXAMPLES / "ldtt_cstdcs_2025" / "facts.yaml")]
    for lang in ("vi", "en"):
        out, err = io.StringIO(), io.StringIO()
        assert run([*argv, "--lang", lang], stdout=out, stderr=err) == 0
        assert "document-not-in-force" in err.getvalue()
    assert "hết hiệu lực" in run_err(argv)  # the warning in Vietnamese, from the kept index


def test_the_text_table_builds_only_the_tables_it_prints():
    """``evaluate``'s table prints the detail rows and the counts: its presentation leaves out the
    criteria of every subject, the subjects side by side, the quotas and the defects, and what it
    keeps is what the whole presentation holds."""
    from emulation_rules import Engine, load_campaign, load_facts
    from emulation_rules.results._tables import present

    campaign = load_campaign(CAMPAIGNS / "ldtt_cstdcs_2025.yaml")
    evaluation = Engine(campaign, backend="python").evaluate(
        load_facts(EXAMPLES / "ldtt_cstdcs_2025" / "facts.yaml", campaign))
    whole, lean = present(campaign, evaluation=evaluation), present(campaign, evaluation=evaluation, tables=())
    assert whole.criteria is not None and whole.quotas is not None and whole.defects is not None
    assert (lean.criteria, lean.subjects, lean.quotas, lean.defects) == (None, None, None, None)
    assert (lean.details, lean.counts, lean.notes, lean.phase) == (whole.details, whole.counts, whole.notes,
                                                                   whole.phase)


def test_the_collector_is_as_the_importer_left_it():
    """The command line's modules are imported with the cyclic collector off (cli/__init__), and
    it is on again after, unless whoever imported them had turned it off."""
    import subprocess
    import sys

    probe = ("import gc, sys\n"
             "if sys.argv[1] == 'off':\n"
             "    gc.disable()\n"
             "import emulation_rules.cli\n"
             "print(gc.isenabled(), 'emulation_rules.cli.app' in sys.modules)\n")
    for state, expected in (("on", "True True"), ("off", "False True")):
        proc = subprocess.run([sys.executable, "-c", probe, state], capture_output=True, text=True, timeout=120,
                              check=True)
        assert proc.stdout.split() == expected.split()


def run_err(argv: list[str]) -> str:
    err = io.StringIO()
    run(argv, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


# --- the message index kept between runs (messages/_kept.py) ----------------------------------

def _computed():
    entries = messages._entries()
    return entries, messages._word_index(entries)


def test_the_kept_index_is_the_computed_one_and_damage_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    computed = _computed()
    assert _kept.kept(_computed) == computed  # computed and written
    (entry,) = (tmp_path / "messages").iterdir()
    whole = entry.read_bytes()
    assert entry.stat().st_mode & 0o077 == 0
    assert _kept.kept(lambda: pytest.fail("read back, not computed")) == computed
    for damaged in (whole[: len(whole) // 2], b"", whole[:32] + b"\x00" * (len(whole) - 32)):
        entry.write_bytes(damaged)
        assert _kept.kept(_computed) == computed
        assert entry.read_bytes() == whole  # written again, whole


def test_an_edited_catalogue_is_another_entry(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    first = _kept._entry()
    module = tmp_path / "pkg"
    module.mkdir()
    (module / "_base.py").write_text("ENTRIES = ()\n", encoding="utf-8")
    monkeypatch.setattr(_kept, "__file__", str(module / "_kept.py"))
    assert _kept._entry() != first


def test_the_index_cache_can_be_off_or_unwritable(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "off")
    assert _kept._entry() is None
    assert _kept.kept(_computed) == _computed()
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert _kept.kept(_computed) == _computed()
