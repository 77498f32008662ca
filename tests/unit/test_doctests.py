"""Every example in a public docstring runs (doctest), from the repository root, where the
shipped campaigns and examples are: an example that no longer matches the code fails here."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import emulation_rules

from ..conftest import ROOT

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(emulation_rules.__path__, "emulation_rules.")
    if not m.name.startswith("emulation_rules.service")  # needs the service extra: its own tests
)


@pytest.mark.parametrize("name", ["emulation_rules", *MODULES])
def test_docstring_examples_run(name, monkeypatch, request):
    if name == "emulation_rules.campaign.opening":  # load_campaign's example reads a plan's text
        request.getfixturevalue("seeds_dir")
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False, report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_examples_exist_and_none_is_skipped():
    attempted = 0
    skipped = []
    for name in ["emulation_rules", *MODULES]:
        module = importlib.import_module(name)
        for test in doctest.DocTestFinder().find(module):
            attempted += len(test.examples)
            skipped += [f"{test.name}: {ex.source.strip()}" for ex in test.examples
                        if ex.options.get(doctest.SKIP)]
    assert attempted >= 15
    assert skipped == [], skipped
