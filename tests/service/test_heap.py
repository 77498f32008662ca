"""A serving process freezes its start-up heap and collects young objects less often
(service/supervisor.settle_heap; ``serve`` calls it once its campaigns are loaded, and so does
each worker of ``--workers N``)."""

from __future__ import annotations

import gc

from emulation_rules.service.supervisor import YOUNG_OBJECTS, settle_heap


def test_settle_heap_freezes_what_exists_and_raises_the_young_threshold() -> None:
    threshold = gc.get_threshold()
    kept = [{"made": "before"}]  # an object of the start-up heap
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_OBJECTS and gc.get_threshold()[1:] == threshold[1:]
        assert not gc.is_finalized(kept) and kept[0]["made"] == "before"
        cycle: list[object] = []
        cycle.append(cycle)  # garbage made after start-up is still collected
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
