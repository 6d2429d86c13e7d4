"""Reading a facts file's text: the file problems a data owner can act on."""

from __future__ import annotations

from pathlib import Path

from ._problems import Loaded
from ._types import PathLike

__all__ = ["read_text"]


def read_text(path: PathLike, loaded: Loaded) -> str | None:
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
