"""The durable backend reads the rules that fire from durable-rules' core (``durable_rules_engine``)
instead of letting durable's host run an action per rule: the rules read must be exactly those for
which the host itself runs actions, for every message the shipped examples post."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from emulation_rules import Engine, load_campaign, load_facts
from emulation_rules.evaluate.base import backend_problem

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "facts.yaml").exists())

pytestmark = pytest.mark.skipif(
    backend_problem("durable") is not None,
    reason=f"durable-rules not loadable here: {backend_problem('durable')}")


def _reference_host(compiled: Any, fired: set[str]) -> Any:
    """durable-rules' own host with the same rule sets (renamed ``…_ref``), an action per rule
    recording its name: the host dispatches the actions itself."""
    from durable import engine as durable_engine

    class Host(durable_engine.Host):  # type: ignore[misc]
        def _run(self) -> None:  # no dispatcher/timer threads, as the backend's host
            return None

    definitions = {}
    for award in compiled.awards:
        for name, ruleset in award.rulesets:
            rules = copy.deepcopy(dict(ruleset))
            for rule_name, rule in rules.items():
                rule["run"] = (lambda n: (lambda _c: fired.add(n)))(rule_name)
            definitions[name + "_ref"] = rules
    host = Host()
    host.set_rulesets(definitions)
    return host


def _posted(example: str) -> tuple[Engine, list[tuple[Any, dict[str, Any], frozenset[str]]]]:
    """Every message the durable backend posts for an example, with the rules it read as fired."""
    campaign = load_campaign(ROOT / "campaigns" / f"{example}.yaml")
    submission = load_facts(ROOT / "examples" / example / "facts.yaml", campaign)
    engine = Engine(campaign, backend="durable")
    impl = engine._impl
    posted: list[tuple[Any, dict[str, Any], frozenset[str]]] = []
    read_from_core = impl._run_rules

    def recording(award: Any, message: dict[str, Any]) -> frozenset[str]:
        got = read_from_core(award, message)
        posted.append((award, dict(message), got))
        return got

    impl._run_rules = recording  # records what the backend posts and reads; does not change it
    engine.evaluate(submission)
    return engine, posted


@pytest.mark.parametrize("example", EXAMPLES)
def test_rules_read_from_the_core_are_the_rules_the_host_runs(example: str) -> None:
    engine, posted = _posted(example)
    fired: set[str] = set()
    host = _reference_host(engine.compiled, fired)
    for award, message, got in posted:
        fired.clear()
        for name, _ in award.rulesets:
            ref = {**message, "sid": "ref-" + message["sid"]}
            host.assert_fact(name + "_ref", ref)
            host.delete_state(name + "_ref", ref["sid"])
        assert got == fired, (award.award.id, message["sid"])


def test_the_examples_post_messages_on_which_several_rules_fire() -> None:
    # what the comparison above covers: a reader that stopped at the first rule fired (or
    # never posted) would pass it on an example that posts nothing or fires only the sentinel
    posted = [item for example in EXAMPLES for item in _posted(example)[1]]
    assert len(posted) >= 100  # 136 on the seven examples
    assert sum(len(got) >= 3 for _, _, got in posted) >= 50  # 82; up to 10 rules on one message


def test_an_action_is_read_by_its_first_key_however_it_is_written() -> None:
    from emulation_rules.evaluate.durable.engine import _rule_of

    # as the core writes it (seen on every message above), and as a JSON writer may
    assert _rule_of('{"c__pledge":{"m":{"sid": "1-0"}}}') == "c__pledge"
    assert _rule_of('{ "c__pledge" : {"m": {}}}') == "c__pledge"
    assert _rule_of('{"c\\u0111":{"m":{}}}') == "c\u0111"
