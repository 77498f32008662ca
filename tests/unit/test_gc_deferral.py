"""Full garbage collections are deferred for a large evaluation only (evaluate/base.py,
``collections_deferred_for``): a request of one unit does not pay the lock and the two threshold
changes; a batch of DEFER_FROM subjects or more raises the oldest generation's threshold, and the
old one is back when it ends (also when it raised)."""

from __future__ import annotations

import gc

import pytest

from emulation_rules.evaluate.base import DEFER_FROM, collections_deferred_for


def test_a_small_evaluation_leaves_the_collector_as_it_is() -> None:
    before = gc.get_threshold()
    with collections_deferred_for(DEFER_FROM - 1):
        assert gc.get_threshold() == before
    assert gc.get_threshold() == before


def test_a_large_evaluation_defers_full_collections_until_it_ends() -> None:
    before = gc.get_threshold()
    with collections_deferred_for(DEFER_FROM):
        assert gc.get_threshold() == (before[0], before[1], 1_000_000)
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), collections_deferred_for(10 * DEFER_FROM):
        raise RuntimeError("an evaluation that failed")
    assert gc.get_threshold() == before
