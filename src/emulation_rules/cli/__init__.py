"""Stage 6, the command line: ``emulation-rules`` (see :func:`.app.run`)."""

import gc

# The command line's modules are imported without cyclic garbage collection: they make many
# objects and almost no garbage, and the collections they set off would scan all of them again
# and again (an import-time cost of every command). Turned back on as soon as they are in.
_collecting = gc.isenabled()
gc.disable()
try:
    from emulation_rules.cli.app import build_parser, main, run
finally:
    if not gc.get_freeze_count():
        # What they made is moved to the oldest generation unscanned (frozen, then thawed there):
        # otherwise the first collection after enabling would scan all of it (~43,000 objects,
        # 10-30 ms), only to keep it.
        gc.freeze()
        gc.unfreeze()
    if _collecting:
        gc.enable()

__all__ = ["build_parser", "main", "run"]
