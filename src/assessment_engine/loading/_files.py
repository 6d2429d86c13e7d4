"""Reading a facts file's text: the file problems a data owner can act on."""

from __future__ import annotations

from pathlib import Path

from .._base.limits import file_problem
from ._problems import Loaded
from ._types import PathLike

__all__ = ["checked_file", "read_text"]


def checked_file(path: PathLike, loaded: Loaded) -> bool:
    """Whether ``path`` may be read: a regular file within the size limit (else a problem)."""
    problem = file_problem(path)
    if problem is not None:
        loaded.file_problem(problem)
        return False
    return True


def read_text(path: PathLike, loaded: Loaded) -> str | None:
    """The file's text (UTF-8, a byte-order mark dropped), or ``None`` with its problem."""
    if not checked_file(path, loaded):
        return None
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        loaded.file_problem("file not found")
        return None
    except IsADirectoryError:
        loaded.file_problem("this is a directory, not a file")
        return None
    except PermissionError:
        loaded.file_problem("permission denied: the file cannot be read")
        return None
    except OSError as exc:
        loaded.file_problem(f"the file cannot be read: {exc.strerror or exc}")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        loaded.file_problem(f"not UTF-8 text (byte {exc.start} is invalid); save it as UTF-8")
        return None
