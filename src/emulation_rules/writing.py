"""Every file the tool writes is written whole or not at all.

:func:`replacing` gives a temporary path beside the target (same directory, so the same file
system); the caller writes it (a library's ``save(path)`` included); on success the file is
flushed to disk (``fsync``) and renamed over the target (``os.replace``, atomic on POSIX and
Windows), then the directory entry is flushed too. On any failure the temporary file is removed
and the target is untouched: a full disk, a killed process or an exception mid-way never leaves
a truncated file. :func:`write_atomic` writes text or bytes that way.

A target that exists and is not a regular file (``/dev/stdout``, ``/dev/full``, a FIFO) cannot
be replaced: it is written in place, as before.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = ["backup_path", "replacing", "settle", "write_atomic"]


def _special(target: Path) -> bool:
    try:
        return not stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        return False


@contextlib.contextmanager
def replacing(target: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write instead of ``target``; renamed over it when the block succeeds.

    The new file keeps the permission bits of the file it replaces (a new file gets the usual
    ones, the umask applied).

    Raises:
        OSError: the temporary file cannot be made, synced or renamed (the target is untouched).
    """
    path = Path(target)
    if _special(path):
        yield path
        return
    import tempfile  # here, not at the top: with shutil, it costs every cold start ~5 ms

    directory = path.parent if str(path.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=directory)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        settle(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def settle(tmp: Path, path: Path) -> None:
    """Flush the finished temporary file ``tmp`` to disk and rename it over ``path`` (a device
    or a FIFO is never replaced: the bytes are copied into it)."""
    if _special(path):
        import shutil

        with open(tmp, "rb") as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst)
        tmp.unlink()
        return
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # not every platform opens a directory
        dfd = os.open(path.parent if str(path.parent) else ".", os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def write_atomic(target: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` (text in ``encoding``, or bytes) to ``target`` whole or not at all.

    Raises:
        OSError: the file cannot be written (the target is untouched).
    """
    raw = data.encode(encoding) if isinstance(data, str) else data
    path = Path(target)
    with replacing(path) as tmp, open(tmp, "wb") as handle:
        handle.write(raw)
        handle.flush()
    return path


def backup_path(target: str | os.PathLike[str]) -> Path:
    """The backup ``migrate --write`` keeps of a file it rewrites: ``FILE.bak`` beside it."""
    path = Path(target)
    return path.with_name(path.name + ".bak")
