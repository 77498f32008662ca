"""Bounded reading of input files: never more than a limit, never a FIFO or a device.

``Path.read_bytes`` trusts ``st_size``: ``/dev/zero`` reports 0 and is read without end, and a
FIFO with no writer blocks forever. :func:`read_limited` opens without blocking, refuses
anything but a regular file (``-`` reads standard input instead), and stops reading one byte
past the limit.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import BinaryIO

from emulation_rules.errors import ProblemCode

STDIN = "-"
"""The file name that reads standard input."""


class InputFileError(Exception):
    """An input file cannot be read within the rules; ``code`` is a problem code.

    Codes: ``unreadable`` (missing, a directory, no permission), ``not-a-file`` (a FIFO, a
    device or a socket), ``too-large`` (more bytes than the limit).
    """

    def __init__(self, code: ProblemCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def read_limited(
    path: str | os.PathLike[str], limit: int, *, stdin: BinaryIO | None = None
) -> bytes:
    """The bytes of ``path`` (``-``: standard input), at most ``limit`` of them.

    Raises:
        InputFileError: ``unreadable``, ``not-a-file`` or ``too-large`` (see the class).
    """
    if os.fspath(path) == STDIN:
        try:
            stream = stdin or sys.stdin.buffer
            return _bounded(stream.read, limit)
        except (OSError, AttributeError, ValueError) as exc:  # closed, or no stdin at all
            raise InputFileError(
                "unreadable", f"standard input: {getattr(exc, 'strerror', None) or exc}"
            ) from None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)  # non-blocking: a FIFO without a writer opens at once
    except OSError as exc:
        raise InputFileError("unreadable", str(exc.strerror or exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputFileError("unreadable", "is a directory")
        if not stat.S_ISREG(mode):
            kind = (
                "a FIFO"
                if stat.S_ISFIFO(mode)
                else "a character device"
                if stat.S_ISCHR(mode)
                else "a block device"
                if stat.S_ISBLK(mode)
                else "not a regular file"
            )
            raise InputFileError("not-a-file", f"{kind}; give '-' to read standard input")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            return _bounded(handle.read, limit)
    except OSError as exc:
        raise InputFileError("unreadable", str(exc.strerror or exc)) from None
    finally:
        if fd >= 0:
            os.close(fd)


def _bounded(read: object, limit: int) -> bytes:
    data = read(limit + 1)  # type: ignore[operator]
    if data is None:
        data = b""
    if len(data) > limit:
        raise InputFileError("too-large", f"the file is larger than {limit} bytes")
    return bytes(data)
