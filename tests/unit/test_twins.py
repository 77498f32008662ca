"""A campaign read back from the cache as plain twins of its nodes (campaign/twins.py) is read by
every evaluator as the validated model is: the same outputs, byte for byte, on every shipped
example and both backends; ``evaluate`` from the cache never imports pydantic."""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulation_rules.campaign import model as m
from emulation_rules.campaign import nodes, shapes
from emulation_rules.campaign.cache import CACHE_ENV
from emulation_rules.campaign.common import _Model
from emulation_rules.campaign.opening import load_campaign
from emulation_rules.campaign.twins import is_twin, made_like, replace, restore
from emulation_rules.engine import Engine
from emulation_rules.facts import load_facts
from emulation_rules.results.render import render_csv, render_json, render_table

from ..conftest import ROOT

EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "facts.yaml").exists())
BACKENDS = ["python", *(["durable"] if sys.version_info < (3, 13) else [])]  # durable-rules: 3.11, 3.12


def _both(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[m.Campaign, m.Campaign]:
    """The campaign validated (kept in a fresh cache) and read back from that cache as twins."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    model = load_campaign(path)
    twin = load_campaign(path, light=True)
    assert not is_twin(model) and is_twin(twin) and is_twin(twin.awards[0])
    return model, twin


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_evaluates_alike_from_twins(example: str, backend: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    model, twin = _both(ROOT / "campaigns" / f"{example}.yaml", tmp_path, monkeypatch)
    outputs = []
    for campaign in (model, twin):
        ev = Engine(campaign, backend=backend).evaluate(load_facts(ROOT / "examples" / example / "facts.yaml", campaign))
        outputs.append((render_json(ev, lang="vi"), render_json(ev, lang="en"), render_csv(ev, campaign),
                        render_table(ev, lang="vi", campaign=campaign)))
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0][0])["subjects"], "the example evaluates somebody"


def _cli(args: list[str], cache: Path, *, watch: bool = False) -> subprocess.CompletedProcess[str]:
    """The command line in a new process; with ``watch`` it reports whether pydantic was imported."""
    code = ("import atexit, sys; atexit.register(lambda: sys.stderr.write("
            "'\\nPYDANTIC ' + str('pydantic' in sys.modules) + '\\n'))\n" if watch else "import sys\n")
    code += f"sys.argv = ['emulation-rules', *{args!r}]\nfrom emulation_rules.cli import main\nmain()\n"
    env = {**os.environ, CACHE_ENV: str(cache), "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=False)


@pytest.mark.parametrize("example", EXAMPLES)
def test_evaluate_from_the_cache_imports_no_pydantic_and_writes_the_same(example: str, tmp_path: Path) -> None:
    args = ["evaluate", f"campaigns/{example}.yaml", "--facts", f"examples/{example}/facts.yaml", "--format", "json"]
    first = _cli(args, tmp_path / "cache")  # validates, keeps the campaign
    again = _cli(args, tmp_path / "cache", watch=True)  # from the cache, as twins
    assert first.returncode == again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert again.stderr.rstrip().endswith("PYDANTIC False")
    assert again.stderr.rsplit("\nPYDANTIC", 1)[0].rstrip("\n") == first.stderr.rstrip("\n")


def test_a_review_with_votes_and_proposals_evaluates_alike_from_twins(tmp_path: Path) -> None:
    """The review cycle's campaign gains a criterion per council vote (evaluate/cycle.py): made as
    a twin beside twins, without pydantic, with the same results."""
    base = ["examples/review_cycle/campaign.yaml", "--facts", "examples/review_cycle/facts_2025.yaml"]
    for command in (["evaluate", *base, "--format", "json"], ["evaluate", *base, "--lang", "en"],
                    ["explain", *base, "--subject", "A07"]):
        first = _cli(command, tmp_path / "cache")
        again = _cli(command, tmp_path / "cache", watch=True)
        assert again.stdout == first.stdout and first.stdout, (command, again.stderr)
        assert again.stderr.rstrip().endswith("PYDANTIC False"), command


def test_a_twin_is_equal_hashed_and_frozen_as_its_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model, twin = _both(ROOT / "campaigns" / "tkv_2019.yaml", tmp_path, monkeypatch)
    for a, b in ((model.awards[0], twin.awards[0]), (model.awards[0].criteria[0].condition, twin.awards[0].criteria[0].condition),
                 (model.title, twin.title)):
        assert type(a).__name__ == type(b).__name__ and a == b and b == a and hash(a) == hash(b)
        assert isinstance(b, getattr(shapes, type(a).__name__)) and not isinstance(b, type(a))
    with pytest.raises(AttributeError, match="frozen"):
        twin.awards[0].id = "other"  # type: ignore[misc]
    assert twin.awards[0] != twin.awards[1]
    # what the loader found of the texts is kept: each citation prints as the model's does
    assert [s.cite() for s, _ in shapes.citations(twin)] == [s.cite() for s, _ in shapes.citations(model)]
    assert [p for _, p in shapes.citations(twin)] == [p for _, p in shapes.citations(model)]
    assert twin.plan.text_status == model.plan.text_status and twin.fact("launched_campaign") == model.fact("launched_campaign")


def test_replace_and_made_like_keep_each_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model, twin = _both(ROOT / "campaigns" / "tkv_2019.yaml", tmp_path, monkeypatch)
    for campaign in (model, twin):
        changed = replace(campaign.awards[0], id="khac")
        assert changed.id == "khac" and changed.criteria == campaign.awards[0].criteria
        assert is_twin(changed) == is_twin(campaign) and campaign.awards[0].id != "khac"
        made = made_like(campaign, "Compare", fact="x", op=">=", value=1)
        assert is_twin(made) == is_twin(campaign) and made.field is None  # a default filled in
    with pytest.raises(TypeError, match="no field 'nope'"):
        made_like(twin, "Compare", fact="x", op=">=", nope=1)


def test_a_twin_pickles_and_copies_as_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, twin = _both(ROOT / "campaigns" / "tkv_2019.yaml", tmp_path, monkeypatch)
    for again in (pickle.loads(pickle.dumps(twin)), copy.deepcopy(twin)):
        assert is_twin(again) and again == twin
        assert again.awards[0].criteria[0].source.cite() == twin.awards[0].criteria[0].source.cite()


def test_a_cache_entry_read_for_the_model_is_the_model_pydantic_would_unpickle(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    path = ROOT / "campaigns" / "ldtt_cstdcs_2025.yaml"
    validated = load_campaign(path)
    kept = load_campaign(path)  # the cache hit, read back as models
    assert not is_twin(kept) and kept is not validated
    assert kept == validated == pickle.loads(pickle.dumps(validated))
    for a, b in zip(shapes.citations(kept), shapes.citations(validated), strict=True):
        assert a[0].__pydantic_private__ == b[0].__pydantic_private__ and a[1] == b[1]
    assert kept.model_dump() == validated.model_dump()
    assert kept.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)  # fields set kept


def test_every_model_class_has_its_shape_and_layout() -> None:
    models = _Model.__subclasses__()  # every kind
    assert sorted(cls.__name__ for cls in models) == sorted(shapes.KINDS)
    for cls in models:
        shape = getattr(shapes, cls.__name__)
        assert shape is getattr(nodes, cls.__name__ + "Shape") and issubclass(cls, shape)
        twin = restore(cls.__name__, tuple(None for _ in cls.model_fields), set(), None)
        assert isinstance(twin, shape) and list(vars(twin)) == list(cls.model_fields)
        assert set(type(twin)._layout[4]) == set(cls.__private_attributes__)
