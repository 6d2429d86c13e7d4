"""The limits on input files: what is checked before a byte of a file is read.

Facts and rubric files are data from people the engine does not trust (``docs/security.md``).
Before a reader opens one, the file must be a regular file (not a FIFO nobody writes to, not a
device such as ``/dev/zero``) within a size limit; a workbook, a zip archive, is checked for
its number of members, their total uncompressed size and each member's compression ratio (a
decompression bomb's shape) from its directory, before anything is decompressed.

Each limit has a default generous enough for a national roll-out and an environment variable
that raises or lowers it for one run:

================================== ======================== ================================
variable                           default                  what
================================== ======================== ================================
``ASSESSMENT_ENGINE_MAX_INPUT_BYTES``   4 GiB               one facts or rubric file, stdin
``ASSESSMENT_ENGINE_MAX_UNZIPPED_BYTES`` 16 GiB             a workbook's members, in total
``ASSESSMENT_ENGINE_MAX_ZIP_MEMBERS``   10,000              a workbook's members
``ASSESSMENT_ENGINE_MAX_ZIP_RATIO``     200                 one member's size ÷ its packed size
================================== ======================== ================================
"""

from __future__ import annotations

import os
import stat
import zipfile
from typing import Final

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_UNZIPPED_BYTES",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "Limit",
    "file_problem",
    "size_problem",
    "zip_problem",
]


class Limit:
    """One limit: its default and the environment variable that overrides it."""

    __slots__ = ("default", "variable")

    def __init__(self, variable: str, default: int) -> None:
        self.variable = variable
        self.default = default

    def value(self) -> int:
        """The limit in force: the variable's value when set to a positive whole number."""
        text = os.environ.get(self.variable, "").strip().replace("_", "")
        if text.isdigit() and int(text) > 0:
            return int(text)
        return self.default

    def __repr__(self) -> str:
        return f"Limit({self.variable!r}, {self.default})"


MAX_INPUT_BYTES: Final = Limit("ASSESSMENT_ENGINE_MAX_INPUT_BYTES", 4 << 30)
MAX_UNZIPPED_BYTES: Final = Limit("ASSESSMENT_ENGINE_MAX_UNZIPPED_BYTES", 16 << 30)
MAX_ZIP_MEMBERS: Final = Limit("ASSESSMENT_ENGINE_MAX_ZIP_MEMBERS", 10_000)
MAX_ZIP_RATIO: Final = Limit("ASSESSMENT_ENGINE_MAX_ZIP_RATIO", 200)

#: Members smaller than this are not judged by their ratio (a small text compresses well).
_RATIO_FLOOR: Final = 1 << 20

_KINDS: Final = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def size_problem(size: int, what: str = "the file") -> str | None:
    """Why ``size`` bytes are too many for one input, or ``None`` within the limit."""
    limit = MAX_INPUT_BYTES.value()
    if size <= limit:
        return None
    return (
        f"{what} is over the size limit of {limit:,} bytes; set {MAX_INPUT_BYTES.variable} to"
        " read a larger one"
    )


def file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` is not read as an input file, or ``None``.

    Only a file that exists and is not a directory is judged (the readers say "file not
    found" and "this is a directory" themselves): it must be a regular file, after following
    symbolic links, within :data:`MAX_INPUT_BYTES`.
    """
    try:
        status = os.stat(path)
    except OSError:
        return None
    mode = status.st_mode
    if stat.S_ISDIR(mode):
        return None
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a file")
        return (
            f"not a regular file ({kind}): input is read from regular files only; save the"
            " data to a file first"
        )
    return size_problem(status.st_size, f"the file ({status.st_size:,} bytes)")


def zip_problem(path: str | os.PathLike[str]) -> str | None:
    """Why the zip archive at ``path`` (a workbook) is not opened, or ``None``.

    Read from the archive's directory only: nothing is decompressed. Not a zip archive at all
    is left to the reader, which says so.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return None
    limit = MAX_ZIP_MEMBERS.value()
    if len(members) > limit:
        return (
            f"the workbook has {len(members):,} members (parts of its zip archive), over the"
            f" limit of {limit:,}; set {MAX_ZIP_MEMBERS.variable} to read it"
        )
    total = sum(member.file_size for member in members)
    limit = MAX_UNZIPPED_BYTES.value()
    if total > limit:
        return (
            f"the workbook would decompress to {total:,} bytes, over the limit of {limit:,};"
            f" set {MAX_UNZIPPED_BYTES.variable} to read it"
        )
    ratio = MAX_ZIP_RATIO.value()
    for member in members:
        if member.file_size < _RATIO_FLOOR:
            continue
        if member.file_size > ratio * max(member.compress_size, 1):
            times = member.file_size // max(member.compress_size, 1)
            return (
                f"the workbook's part {member.filename} is compressed {times:,} times"
                f" ({member.file_size:,} bytes from {member.compress_size:,}), over the limit"
                f" of {ratio:,}: the shape of a decompression bomb; set {MAX_ZIP_RATIO.variable}"
                " to read it"
            )
    return None
