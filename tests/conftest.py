"""Shared test helpers: paths to the repository, campaigns, examples and seeds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAMPAIGNS = ROOT / "campaigns"
EXAMPLES = ROOT / "examples"
# shared/ sits beside the repository (CI clones main with shared/ beside it).
SEEDS = ROOT.parent / "shared" / "seeds"
# The shipped campaigns name their plan texts there, outside the campaign's folder: the tool reads
# a text outside it only from a configured documents directory (issue 23), so the suite
# configures this one, as a user would (in-process and for the commands it starts).
if SEEDS.is_dir():
    os.environ.setdefault("EMULATION_RULES_DOCUMENTS", str(SEEDS))


def campaign_files() -> list[Path]:
    """Every shipped campaign file (campaigns/*.yaml)."""
    return sorted(CAMPAIGNS.glob("*.yaml"))


@pytest.fixture(scope="session", autouse=True)
def _campaign_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The suite keeps validated campaigns in its own cache directory, not the user's."""
    os.environ["EMULATION_RULES_CACHE"] = str(tmp_path_factory.mktemp("campaign-cache"))


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("shared/seeds is not beside the repository")
    return SEEDS


def refused_problems(tmp_path: Path, source: Path, section: str, change: object) -> list[tuple[str, str]]:
    """``source`` with ``change`` applied to its ``section`` (a callable on the list), loaded: the
    problems it is refused with, as ``(code, path)``, each located in the changed file."""
    import yaml

    from emulation_rules import CampaignValidationError, load_campaign

    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data[section])  # type: ignore[operator]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(path)
    assert all(p.location is not None and p.location.file == str(path) for p in info.value.problems)
    return [(p.code, ".".join(map(str, p.path))) for p in info.value.problems]
