"""Reading a source file as text, with errors that name the file and never quote it.

Every loader reads through :func:`read_text`, so "cannot read" and "invalid UTF-8" look
the same whichever kind of source failed.
"""

from __future__ import annotations

import errno
import os
import stat
from bisect import bisect_right
from itertools import accumulate, repeat
from operator import add
from pathlib import Path

from driftcheck.errors import DriftcheckError
from driftcheck.values import Origin, SourceIssue

BYTE_ORDER_MARK = "\ufeff"

_UTF16_BYTE_ORDER_MARKS = (b"\xff\xfe", b"\xfe\xff")


def read_text(path: Path, display_path: str, *, universal_newlines: bool = False) -> str:
    """Read a whole file and decode it as strict UTF-8.

    Nothing is stripped: a byte-order mark or a carriage return is left for the loader
    to judge, unless ``universal_newlines`` asks for what ``open(path, encoding="utf-8")``
    reads ("\r\n" and a lone "\r" become "\n"). Raises :class:`DriftcheckError` (naming
    ``display_path``) when the file cannot be read or is not UTF-8.
    """
    text = decode_utf8(read_bytes(path, display_path), display_path, universal_newlines)
    if universal_newlines and "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_bytes(path: Path, display_path: str) -> bytes:
    """The bytes of a regular file or a FIFO; anything else is a one-line error."""
    try:
        with open(path, "rb") as stream:
            mode = os.fstat(stream.fileno()).st_mode
            # Refusing devices keeps /dev/zero from being read forever.
            if stat.S_ISDIR(mode):
                raise DriftcheckError("is a directory, expected a file", path=display_path)
            if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                raise DriftcheckError("is not a regular file", path=display_path)
            return stream.read()
    except OSError as exc:
        raise DriftcheckError(_describe_os_error(exc, path), path=display_path) from None


def decode_utf8(data: bytes, display_path: str, universal_newlines: bool = False) -> str:
    """Decode strict UTF-8; a bad byte is reported with its line and column, not its context.

    With ``universal_newlines`` a lone "\r" ends a line too, as it does for the reader.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_offset = exc.start
    # Raised outside the except block on purpose: the UnicodeDecodeError holds the whole
    # file in ``.object``, and chaining it would carry a possible secret along with the error.
    line = data.count(b"\n", 0, bad_offset) + 1
    line_start = data.rfind(b"\n", 0, bad_offset) + 1
    if universal_newlines:
        line += data.count(b"\r", 0, bad_offset) - data.count(b"\r\n", 0, bad_offset)
        line_start = max(line_start, data.rfind(b"\r", 0, bad_offset) + 1)
    # Everything before the bad byte decoded cleanly, and a line starts after an ASCII byte,
    # so this slice is whole characters: the column counts characters, as editors do.
    column = len(data[line_start:bad_offset].decode("utf-8")) + 1
    message = f"invalid UTF-8 (byte 0x{data[bad_offset]:02X} at column {column})"
    if data.startswith(_UTF16_BYTE_ORDER_MARKS):
        message += "; the file looks UTF-16 encoded, save it as UTF-8"
    raise DriftcheckError(message, path=display_path, line=line)


def split_byte_order_mark(text: str) -> tuple[str, bool]:
    """Return the text without a leading UTF-8 byte-order mark, and whether it had one."""
    if text.startswith(BYTE_ORDER_MARK):
        return text[len(BYTE_ORDER_MARK) :], True
    return text, False


def skip_byte_order_mark(text: str, display_path: str, why: str) -> tuple[str, list[SourceIssue]]:
    """The text without a leading byte-order mark, and the issue saying it had one."""
    text, had_byte_order_mark = split_byte_order_mark(text)
    if not had_byte_order_mark:
        return text, []
    detail = f"file starts with a UTF-8 byte-order mark; {why}"
    return text, [SourceIssue("byte-order-mark", Origin(display_path, 1), detail)]


class LineIndex:
    """Turns an index into a text into a 1-based (line, column).

    Lines end at "\\n" only, the way :mod:`json` counts them for its errors, so positions
    from this index and from ``json.JSONDecodeError`` agree.
    """

    def __init__(self, text: str) -> None:
        # Each line starts one past the end of the one before: its length and "\n" on.
        ends = accumulate(map(add, map(len, text.split("\n")), repeat(1)), initial=0)
        self._starts = list(ends)[:-1]

    def line_column(self, index: int) -> tuple[int, int]:
        """The line and column (both from 1) of the character at ``index``."""
        line = bisect_right(self._starts, index)
        return line, index - self._starts[line - 1] + 1

    def line(self, index: int) -> int:
        """The line (from 1) of the character at ``index``."""
        return bisect_right(self._starts, index)


def _describe_os_error(exc: OSError, path: Path) -> str:
    # Checked by errno rather than by subclass: a symlink loop has no subclass of its own.
    if exc.errno == errno.ENOENT:
        if path.is_symlink():
            return "cannot read: no such file (the symbolic link points to nothing)"
        return "cannot read: no such file"
    # Windows refuses to open a directory with EACCES rather than EISDIR.
    if exc.errno == errno.EISDIR or (exc.errno == errno.EACCES and os.path.isdir(path)):
        return "is a directory, expected a file"
    if exc.errno == errno.ELOOP:
        return "cannot read: too many levels of symbolic links"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read: permission denied"
    if exc.errno == errno.ENOTDIR:
        return "cannot read: a parent of the path is not a directory"
    # strerror is the operating system's wording; str(exc) would repeat the full path.
    return f"cannot read: {exc.strerror or type(exc).__name__}"
