"""Public names of a package imported on first use (PEP 562), so that a command loads only the
modules it runs: the package :mod:`emulation_rules` and its stages share this one loader."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, table: Mapping[str, str],
               computed: Mapping[str, Callable[[], Any]] | None = None
               ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``.

    Args:
        package: the package's ``__name__``.
        table: public name -> the module that defines it (imported, then the name kept in the
            package's namespace, on first use).
        computed: public name -> a function giving its value on first use (e.g. ``__version__``).

    Returns:
        The two module-level functions to assign in the package.

    Raises:
        AttributeError: from ``__getattr__``, for a name in neither mapping.
    """
    extra = dict(computed or {})

    def __getattr__(name: str) -> Any:
        """Import a public name on first use (a command loads only what it runs)."""
        make = extra.get(name)
        if make is not None:
            return make()
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        vars(sys.modules[package])[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *table})

    return __getattr__, __dir__
