"""Optional extras on the command line: one line saying which extra to install, never a traceback.

The base install reads and writes spreadsheets and HTML reports (python-calamine, openpyxl,
Jinja2). What is heavy or server-side stays optional:

* ``bulk`` (polars, pyarrow): ``evaluate --bulk``, ``explain --bulk``; exit 2.
* ``service`` (fastapi, uvicorn, sqlalchemy): ``serve``, ``replay``; exit 2.
* ``postgres`` (psycopg): ``serve`` and ``replay`` with ``--log-db postgresql+psycopg://…``; exit 2.
* ``testing`` (hypothesis): ``import emulation_rules.testing`` (no command); an ``ImportError``
  naming the extra.

``--backend polars`` without the bulk extra keeps its own documented answer (the backend cannot
load here, exit 3), naming the extra in the same way.
"""

from __future__ import annotations

import importlib.util
from typing import Literal, TextIO

__all__ = ["EXIT_MISSING_EXTRA", "EXTRAS", "missing_module", "require"]

EXIT_MISSING_EXTRA = 2
"""Exit code of a command whose extra is not installed (bad usage of this installation)."""

Extra = Literal["bulk", "service", "postgres", "testing"]

EXTRAS: dict[Extra, tuple[str, ...]] = {
    "bulk": ("polars", "pyarrow"),
    "service": ("fastapi", "uvicorn", "sqlalchemy"),
    "postgres": ("psycopg",),
    "testing": ("hypothesis",),
}
"""The modules each extra brings, by the name they are imported as."""

_LINE = {
    "vi": "lỗi: {what} cần phần bổ sung '{extra}' (thiếu {module}): pip install 'emulation-rules[{extra}]'",
    "en": "error: {what} needs the '{extra}' extra ({module} is not installed): "
          "pip install 'emulation-rules[{extra}]'",
}


def missing_module(extra: Extra) -> str | None:
    """The first module of ``extra`` that cannot be imported here, or ``None`` when all can.

    Only looks the modules up (nothing is imported), so it is cheap.
    """
    for name in EXTRAS[extra]:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except (ImportError, ValueError, AttributeError):  # a broken or blocked installation
            return name
    return None


def require(extra: Extra, what: str, err: TextIO, *, lang: str = "vi") -> bool:
    """True when ``extra`` is installed; else say so in one line on ``err`` and return False.

    Args:
        extra: the extra the command needs.
        what: the command or option that needs it, as the user typed it (``--bulk``, ``serve``).
        err: where to say it.
        lang: ``vi`` (default) or ``en``.
    """
    module = missing_module(extra)
    if module is None:
        return True
    err.write(_LINE["en" if lang == "en" else "vi"].format(what=what, extra=extra, module=module) + "\n")
    return False
