"""Honest citations (issue 22, item 2): a document whose text is absent has its cited lines
printed as not checked, said once per command; a ``text`` that does not resolve is a located
warning at ``validate``; ``sha256`` pins the version of a text supplied later."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from emulation_rules import CampaignValidationError, load_campaign
from emulation_rules.campaign.texts import WARNING_CODES, text_warnings
from emulation_rules.cli.app import run

from ..conftest import CAMPAIGNS, EXAMPLES, ROOT

WARNINGS = sorted((ROOT / "tests" / "cases" / "warnings").glob("*.yaml"))
PLANS = ["dienbien_2020", "phurieng_2017", "thanhhoa_2021_2030", "tkv_2019", "vinhlinh_2022"]
LINES = re.compile(r"\(dòng \d[^)]*\)")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", WARNINGS, ids=lambda p: p.stem)
def test_a_text_that_does_not_resolve_is_a_located_warning(path, monkeypatch):
    monkeypatch.delenv("EMULATION_RULES_DOCUMENTS", raising=False)
    line, col, code = re.match(r"# expect: (\d+):(\d+) ([a-z-]+)", path.read_text(encoding="utf-8")).groups()
    assert path.stem == code and code in WARNING_CODES
    c = load_campaign(path)  # a warning: the campaign loads
    (w,) = text_warnings(c)
    assert (w.code, w.location.file, w.location.line, w.location.column) == (code, str(path), int(line), int(col))
    assert c.documents[0].text_status == {"text-not-found": "not-found", "text-unreadable": "unreadable"}[code]
    assert "(dòng 1, chưa đối chiếu)" in c.awards[0].criteria[0].source.cite()
    rc, out, _ = cli("validate", str(path), "--lang", "en")
    assert rc == 0
    assert out.splitlines()[1] == f"warning: {w}"
    rc, out, _ = cli("validate", str(path))  # in Vietnamese (the default): the same place and code
    assert rc == 0 and out.splitlines()[1].startswith(f"cảnh báo: {w.location}: ") and f"[{code}]" in out


def _campaign_with_text(tmp: Path, sha: str | None, text_dir: Path | None = None) -> Path:
    src = ROOT / "tests" / "cases" / "warnings" / "text-not-found.yaml"
    body = src.read_text(encoding="utf-8").replace("text: plan_text_not_here.txt", "text: plan.txt")
    if sha is not None:
        body = body.replace("    text: plan.txt\n", f"    text: plan.txt\n    sha256: {sha}\n")
    (tmp / "c.yaml").write_text(body, encoding="utf-8")
    return tmp / "c.yaml"


def test_sha256_verifies_a_text_supplied_later(tmp_path, monkeypatch):
    texts = tmp_path / "texts"
    texts.mkdir()
    version = "Kế hoạch 1/KH\nCó phát động phong trào thi đua\n".encode()
    path = _campaign_with_text(tmp_path, hashlib.sha256(version).hexdigest())
    monkeypatch.delenv("EMULATION_RULES_DOCUMENTS", raising=False)
    before = load_campaign(path)  # no text yet: loads, lines unchecked
    assert before.documents[0].text_status == "not-found"
    assert before.awards[0].criteria[0].source.lines_checked is False
    (texts / "plan.txt").write_bytes(version)  # supplied later, found by file name
    monkeypatch.setenv("EMULATION_RULES_DOCUMENTS", str(texts))
    after = load_campaign(path)
    assert after.documents[0].text_status == "checked"
    assert after.awards[0].criteria[0].source.lines_checked is True
    assert after.awards[0].criteria[0].source.cite() == "Kế hoạch 1/KH (dòng 1)"
    (texts / "plan.txt").write_bytes(version.replace(b"1/KH", b"2/KH"))  # another version
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(path)
    (p,) = info.value.problems
    assert p.code == "text-mismatch" and p.path == ("documents", 0, "sha256")
    assert (p.location.line, p.location.column) == (11, 13)


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """The five plans, their cases and examples in a directory with none of their texts."""
    root = tmp_path_factory.mktemp("bare")
    (root / "campaigns" / "cases").mkdir(parents=True)
    for cid in PLANS:
        shutil.copy(CAMPAIGNS / f"{cid}.yaml", root / "campaigns")
        shutil.copy(CAMPAIGNS / "cases" / f"{cid}.yaml", root / "campaigns" / "cases")
        shutil.copytree(EXAMPLES / cid, root / "examples" / cid)
    return root


def _outputs(root: Path, cid: str, tmp: Path) -> list[tuple[str, int, str, str]]:
    c = str(root / "campaigns" / f"{cid}.yaml")
    facts = str(root / "examples" / cid / "facts.yaml")
    fast = ["--backend", "python"]  # the same outputs as durable's (test_backends), faster to build
    runs = [
        ["evaluate", c, "--facts", facts, "--format", "json", *fast],
        ["evaluate", c, "--facts", facts, *fast],
        ["explain", c, "--facts", facts, "--subject", "?", *fast],
        ["targets", c, "--facts", facts],
        ["validate", "--verbose", c],
    ]
    if cid == "vinhlinh_2022":
        runs.append(["initiatives", c, "--facts", facts])
    if cid == "phurieng_2017":
        runs.append(["test", str(root / "campaigns" / "cases" / f"{cid}.yaml")])
    if cid == "tkv_2019":
        runs.append(["evaluate", c, "--facts", facts, "--format", "html", "-o", str(tmp / "r.html"), *fast])
    out = []
    for argv in runs:
        if "?" in argv:
            argv[argv.index("?")] = json.loads(out[0][2])["subjects"][0]["id"]
        rc, text, err = cli(*argv)
        if "html" in argv:
            text = (tmp / "r.html").read_text(encoding="utf-8")
        out.append((" ".join(argv[:1] + argv[2:]), rc, text, err))
    return out


@pytest.mark.parametrize("cid", PLANS)
def test_without_texts_every_printed_citation_is_marked_unchecked(cid, bare, tmp_path, monkeypatch):
    monkeypatch.delenv("EMULATION_RULES_DOCUMENTS", raising=False)
    seen = 0
    for what, rc, text, err in _outputs(bare, cid, tmp_path):
        assert rc in (0, 1), (what, err)
        cited = LINES.findall(text)
        seen += len(cited)
        unchecked = [c for c in cited if not c.endswith(", chưa đối chiếu)")]
        assert not unchecked, (what, unchecked[:5])
        if what.startswith("validate"):
            assert "cảnh báo: " in text and "[text-not-found]" in text, text
            continue
        assert err.count("chú ý: các dòng trích dẫn từ") == 1, (what, err)  # said once
        assert "không tìm thấy văn bản" in err
        if "--format json" in what:
            marks = re.findall(r'"lines_checked": (true|false|null)', text)
            assert "true" not in marks, what
    assert seen > 10


def test_with_the_texts_no_citation_is_marked(monkeypatch):
    """The same commands on the repository's campaigns, texts found: no mark, no note."""
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("the plans' texts are not beside the repository")
    rc, out, err = cli("explain", str(CAMPAIGNS / "tkv_2019.yaml"), "--facts",
                       str(EXAMPLES / "tkv_2019" / "facts.yaml"), "--subject", "CD-HALAM")
    assert rc == 0 and LINES.findall(out)
    assert "chưa đối chiếu" not in out and "chú ý" not in err


def test_the_service_checks_its_campaigns_lines_and_a_posted_text_is_not_looked_up():
    """Served campaigns look their texts up from the served directory (as validate does); a
    campaign posted as text reads no file, so its lines print as not checked."""
    registry_mod = pytest.importorskip("emulation_rules.service.registry")
    registry = registry_mod.CampaignRegistry(CAMPAIGNS)
    registry.reload()
    ldtt = registry.campaigns["ldtt_cstdcs_2025"].campaign  # its excerpts are in the repository
    assert {d.id: d.text_status for d in ldtt.documents if d.text} == {
        "law_tdkt_2022": "checked", "decree_98_2023": "checked", "circular_01_2024": "checked"}
    posted = registry_mod.campaign_from_text((CAMPAIGNS / "tkv_2019.yaml").read_bytes(), file="<request>")
    assert posted.documents[0].text_status == "not-looked-up"
    assert posted.awards[0].criteria[0].source.cite().endswith(", chưa đối chiếu)")
