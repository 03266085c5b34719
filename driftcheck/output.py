"""Writing driftcheck's own outputs (reports, snapshots, the files ``init`` writes)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from driftcheck.errors import DriftcheckError


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old file or the new one, never half.

    The text goes to a temporary file in the same directory (so ``os.replace`` is a
    rename within one file system), which is removed again if anything fails.
    """
    if path.is_dir():
        raise DriftcheckError("is a directory; the output needs a file name", str(path))
    directory = path.parent
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise DriftcheckError(f"cannot write: {exc.strerror}", str(path)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise DriftcheckError(f"cannot write: {exc.strerror}", str(path)) from None
        raise
