"""Stage 6, the command line: ``emulation-rules`` (see :func:`.app.run`)."""

from emulation_rules.cli.app import build_parser, main, run

__all__ = ["build_parser", "main", "run"]
