"""Vietnamese everywhere, English on request (issue 22, item 4).

* every problem of the invalid-campaign corpus (tests/cases/invalid, one file per failure mode)
  has a Vietnamese message and hint in the catalogue (:mod:`emulation_rules.messages`);
* every command of the tool, run on the shipped examples and on broken inputs with ``--lang vi``
  (the default), prints none of the English words people would otherwise read (a word list taken
  from the English messages), and with ``--lang en`` none of the Vietnamese ones.

Ids, codes, file names, paths, citations and quoted values stay as they are in both languages,
so the check strips them first (:func:`_prose`).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from emulation_rules.cli.app import run
from emulation_rules.messages import CATALOGUE, translate_line, translate_message

from ..conftest import CAMPAIGNS, EXAMPLES, ROOT

INVALID = sorted((ROOT / "tests" / "cases" / "invalid").glob("*.yaml"))

ENGLISH = re.compile(
    r"\b(the|is|not|are|of|must|unknown|expected|valid|missing|cannot|before|after|only|give|needs?|"
    r"awardees?|qualify|met|fails?|undecided|subjects?|verdicts?|per|award|target|phase|campaign|"
    r"problems?|written|results?|files?|skipped|note|among|delegated|criteria|review|date)\b",
    re.IGNORECASE)
"""English words of the messages, tables and notes (none may stay in Vietnamese output)."""

VIETNAMESE = re.compile(r"\b(không|đạt|thiếu|đối tượng|danh hiệu|kết quả|phong trào|tiêu chí|lý do|ghi chú|"
                        r"chưa|được|hợp lệ|giai đoạn|tỷ lệ|hạn mức)\b", re.IGNORECASE)


def _prose(text: str) -> str:
    """What a person reads as sentences: without quoted values, ids, paths, codes, citations,
    file names and option names."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|“[^”]*”", " ", text)
    text = re.sub(r"(?:hợp lệ|được phép|valid|allowed|các đối tượng|subjects): [^()\[\n]*", " ", text)  # id lists
    text = re.sub(r"\[[^\]\n]*\]", " ", text)  # codes, citations
    # the campaign's own words (delegations, recorded defects of the plan text)
    text = re.sub(r"(?m)delegated to [^\n]*|do [^\n]* quy định|^(?:defect|khiếm khuyết) [^\n]*", " ", text)
    text = re.sub(r"\([^()]*dòng [^()]*\)", " ", text)  # citations
    text = re.sub(r"\S*[/\\.]\S*|\S*_\S*|\S*\[\d+\]\S*|--[a-z-]+|<[a-z]+>", " ", text)  # files, ids, paths
    return text


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_every_entry_has_both_languages_and_its_placeholders() -> None:
    for en, vi in CATALOGUE:
        assert en.strip() and vi.strip() and en != vi, en
        assert sorted(re.findall(r"\{(\w+)\}", en)) == sorted(re.findall(r"\{(\w+)\}", vi)), en


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_every_problem_of_the_corpus_reads_in_vietnamese(path: Path) -> None:
    """Each file's problems, as ``validate`` prints them: a message the catalogue lacks stays in
    English and fails here."""
    code, out, err = cli("validate", str(path), "--lang", "en")
    assert code == 1, err
    for line in out.splitlines():
        message = re.sub(r" \[[a-z0-9-]+\]\Z", "", line.split(": ", 2)[-1] if ": " in line else line)
        assert translate_line(line) != line, f"no Vietnamese for: {message}"
    code, out, err = cli("validate", str(path))
    assert code == 1
    english = ENGLISH.findall(_prose(out + err))
    assert not english, (english, out)


def test_the_default_is_vietnamese_and_english_is_on_request() -> None:
    bad = str(ROOT / "tests" / "cases" / "invalid" / "unknown-fact.yaml")
    _, vi, _ = cli("validate", bad)
    _, en, _ = cli("validate", bad, "--lang", "en")
    assert "dữ kiện không có trong phong trào 'ratng'" in vi and "(có phải 'rating'?)" in vi
    assert "unknown fact 'ratng'" in en and "[unknown-fact]" in vi and "[unknown-fact]" in en
    assert translate_message("unknown fact 'x'", "en") == "unknown fact 'x'"


EXAMPLE_RUNS = [
    (ex, cmd) for ex in sorted(p.name for p in EXAMPLES.iterdir() if (p / "facts.yaml").is_file())
    for cmd in ("evaluate",)
] + [("thanhhoa_2021_2030", "targets"), ("vinhlinh_2022", "initiatives")]


@pytest.mark.parametrize(("example", "command"), EXAMPLE_RUNS)
def test_commands_speak_the_chosen_language(example: str, command: str) -> None:
    argv = [command, str(CAMPAIGNS / f"{example}.yaml"), "--facts", str(EXAMPLES / example / "facts.yaml")]
    if command == "evaluate":
        argv += ["--backend", "python"]
    code, out, err = cli(*argv)
    assert code == 0, err
    english = ENGLISH.findall(_prose(out + err))
    assert not english, (sorted(set(english)), out[:2000])
    code, out, err = cli(*argv, "--lang", "en")
    assert code == 0, err
    shown = _prose(out + err)
    # names of units, people and plan wording are Vietnamese by nature: only our words are checked
    for name in re.findall(r"Công đoàn[^\n]*|Kế hoạch[^\n]*", shown):
        shown = shown.replace(name, " ")
    assert not VIETNAMESE.findall(shown), sorted(set(VIETNAMESE.findall(shown)))
