"""Where a command's output goes: standard output or a file, written so that nothing is lost.

* ``-o -`` (or no ``-o``) is standard output; ``-o PATH`` a file.
* A file is written to a temporary file in its own directory, flushed to disk and renamed into
  place: a full disk, a file-size limit or an interruption leaves the previous file as it was,
  never half-written. A symbolic link is written through (the link stays); a device or a pipe
  (``/dev/null``, a FIFO) is written directly.
* An output that is one of the command's inputs (the same file by any path: a symbolic or hard
  link too) is refused before anything is read; so is replacing a file that is not empty,
  unless ``--force``.
* Text meant for a person (tables, explanations, messages) has its control characters escaped
  (:func:`safe`): a team named ``ESC[2J`` cannot clear the screen; rich markup in data
  (``[bold]``) is printed as it is. Data formats (JSON, CSV) are escaped only when they go to
  a terminal.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TextIO, cast

import click
from rich.console import Console, RenderableType

__all__ = [
    "STDIO",
    "Output",
    "atomic_file",
    "check_not_input",
    "output_options",
    "safe",
    "safe_json",
    "same_file",
    "terminal_console",
]

#: The file name that means standard input or output.
STDIO = "-"

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_BUT_LINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
# In JSON only the characters a terminal would act on that json.dumps leaves as they are.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str, *, lines: bool = False) -> str:
    r"""``text`` with its control characters escaped as ``\x1b`` (``\u202e`` beyond Latin-1).

    C0 and C1 controls, DEL and the bidirectional overrides are escaped; ``lines=True`` keeps
    newlines (a message of several lines), otherwise they are escaped too (a table cell).
    """
    pattern = _CONTROL_BUT_LINES if lines else _CONTROL
    return pattern.sub(_escape, text) if pattern.search(text) else text


def safe_json(text: str) -> str:
    r"""JSON text with the controls ``json.dumps`` keeps written as ``\u`` escapes (same data)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_COUNT_LIMIT = 100_000


# ----------------------------------------------------------------------------- same file
def _real(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(path))


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file: the same real path, or the same inode (a hard link)."""
    if _real(a) == _real(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_not_input(
    output: str | os.PathLike[str], inputs: Iterable[tuple[str, str | os.PathLike[str]]]
) -> None:
    """Refuse (a usage error) an output that is one of ``inputs`` — ``(what, path)`` pairs."""
    if os.fspath(output) == STDIO:
        return
    for what, path in inputs:
        if os.fspath(path) != STDIO and same_file(output, path):
            shown = "" if os.fspath(path) == os.fspath(output) else f" (as {os.fspath(path)})"
            raise click.UsageError(
                f"{safe(os.fspath(output))} is also an input ({what}){safe(shown)}: writing it"
                " would destroy the input; write the output to another file"
            )


def _contents(path: Path) -> str:
    """What an existing file holds, in words (for the refusal to replace it)."""
    size = path.stat().st_size
    described = f"{size:,} bytes"
    if path.suffix.lower() == ".xlsx":
        with contextlib.suppress(Exception):
            import warnings

            import openpyxl

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                book = openpyxl.load_workbook(path, read_only=True)
            try:
                rows = 0
                for sheet in book.worksheets:
                    if str(sheet.title).startswith("_"):
                        continue
                    for values in sheet.iter_rows(min_row=2, values_only=True):
                        if any(v is not None for v in values):
                            rows += 1
                        if rows >= _COUNT_LIMIT:
                            break
            finally:
                book.close()
            more = "+" if rows >= _COUNT_LIMIT else ""
            filled = f"{rows:,}{more}" if rows else "no"
            described = f"a workbook with {filled} filled row{'s' if rows != 1 else ''}"
    return described


def _check_replace(path: Path, force: bool) -> None:
    try:
        info = path.stat()
    except OSError:
        return
    if force or not stat.S_ISREG(info.st_mode) or info.st_size == 0:
        return
    raise click.UsageError(
        f"{safe(str(path))} already exists and is not empty ({_contents(path)}); --force"
        " replaces it"
    )


# ----------------------------------------------------------------------------- atomic writes
def _new_file_mode(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto it when the block ends without error.

    The temporary file is flushed to disk before the rename, and removed on an error, which
    propagates (an ``OSError`` names ``path``). A device or pipe is written directly.
    """
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        yield target  # /dev/null, a FIFO: nothing to replace
        return
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(2, "No such file or directory", os.fspath(path))
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=directory
    )
    os.close(descriptor)
    written = Path(temporary)
    try:
        yield written
        with open(written, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(written, _new_file_mode(target))
        os.replace(written, target)
    except OSError as exc:
        written.unlink(missing_ok=True)
        if exc.filename is None or exc.filename == temporary:
            raise OSError(exc.errno, exc.strerror, os.fspath(path)) from exc
        raise
    except BaseException:
        written.unlink(missing_ok=True)
        raise


# ----------------------------------------------------------------------------- consoles
def _columns() -> int | None:
    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def terminal_console(*, stderr: bool = False) -> Console:
    """A console for messages and tables on a terminal (its width, colours when allowed)."""
    return Console(stderr=stderr, highlight=False, markup=False, emoji=False)


def _natural_console(handle: IO[str], renderable: RenderableType) -> Console:
    """A console as wide as ``renderable`` wants (``COLUMNS`` when set): nothing wraps."""
    width = _columns()
    if width is None:
        probe = Console(width=100_000, markup=False, emoji=False)
        width = max(40, min(100_000, probe.measure(renderable).maximum))
    return Console(
        file=handle,
        width=width,
        no_color=True,
        color_system=None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )


# ----------------------------------------------------------------------------- the output
class _Escaping(io.TextIOBase):
    """A text stream that escapes each piece before handing it on."""

    def __init__(self, target: TextIO, escape: Callable[[str], str]) -> None:
        self._target = target
        self._escape = escape

    def write(self, text: str) -> int:
        self._target.write(self._escape(text))
        return len(text)


class Output:
    """One command's output: standard output (``-``) or a file, checked before any work.

    :param path: ``-`` or ``None`` for standard output, else the file.
    :param force: replace a file that is not empty.
    :param inputs: ``(what, path)`` of the command's inputs, which the output must not be.
    """

    def __init__(
        self,
        path: str | None,
        *,
        force: bool = False,
        inputs: Iterable[tuple[str, str | os.PathLike[str]]] = (),
    ) -> None:
        self.path: Path | None = None if path in (None, STDIO) else Path(path)
        if self.path is not None:
            check_not_input(self.path, inputs)
            _check_replace(self.path, force)

    @property
    def is_stdout(self) -> bool:
        """Whether the output is standard output."""
        return self.path is None

    @property
    def to_terminal(self) -> bool:
        """Whether the output is standard output and that is a terminal."""
        return self.path is None and sys.stdout.isatty()

    @property
    def suffix(self) -> str:
        """The file's suffix in lower case (``""`` for standard output)."""
        return self.path.suffix.lower() if self.path is not None else ""

    def __str__(self) -> str:
        return "standard output" if self.path is None else str(self.path)

    def text(self, data: str, *, escape: Callable[[str], str] | None = None) -> None:
        """Write text (UTF-8); ``escape`` it first when it goes to a terminal."""
        if self.path is None:
            if escape is not None and sys.stdout.isatty():
                data = escape(data)
            sys.stdout.write(data)
            return
        with atomic_file(self.path) as temporary:
            temporary.write_text(data, encoding="utf-8")

    def stream(
        self, write: Callable[[TextIO], None], *, escape: Callable[[str], str] | None = None
    ) -> None:
        """Write text piece by piece through ``write(handle)`` (UTF-8): nothing held whole.

        A file is written to a temporary file renamed into place, as :meth:`text` does;
        on a terminal each piece is ``escape``d first.
        """
        if self.path is None:
            if escape is not None and sys.stdout.isatty():
                write(cast(TextIO, _Escaping(sys.stdout, escape)))
            else:
                write(sys.stdout)
            return
        with atomic_file(self.path) as temporary, open(temporary, "w", encoding="utf-8") as fh:
            write(fh)

    def binary(self, write: Callable[[Any], None]) -> None:
        """Write bytes through ``write(file_or_path)`` (a workbook's ``save``)."""
        if self.path is None:
            stream = sys.stdout.buffer
            if stream.isatty():
                raise click.UsageError(
                    "this output is a binary file: give -o FILE, or redirect standard output"
                )
            buffer = io.BytesIO()
            write(buffer)
            sys.stdout.flush()
            stream.write(buffer.getvalue())
            stream.flush()
            return
        with atomic_file(self.path) as temporary:
            write(temporary)

    def render(self, renderable: RenderableType) -> None:
        """Print a rich renderable: on a terminal at its width; elsewhere unwrapped, plain."""
        if self.to_terminal:
            terminal_console().print(renderable)
            return
        buffer = io.StringIO()
        _natural_console(buffer, renderable).print(renderable)
        text = "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))
        self.text(text)


def output_options(*, required: bool = False, force: bool = True) -> Callable[[Any], Any]:
    """``-o/--output PATH`` (``-`` is standard output) and, with ``force``, ``--force``."""

    def decorate(func: Any) -> Any:
        if force:
            func = click.option(
                "--force",
                is_flag=True,
                help="Replace the output file even when it is not empty.",
            )(func)
        return click.option(
            "--output",
            "-o",
            required=required,
            default=None,
            metavar="PATH",
            help="Write to this file ('-': standard output). A file is replaced atomically;"
            " one that is not empty only with --force; an input is never overwritten.",
        )(func)

    return decorate
