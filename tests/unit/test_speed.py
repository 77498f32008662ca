"""What a cold start and the automatic choice of path rely on (speed itself is measured in
benchmarks/, never here)."""

from __future__ import annotations

import pytest
import yaml

from emulation_rules.campaign import safe_yaml
from tests.conftest import EXAMPLES, campaign_files


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
