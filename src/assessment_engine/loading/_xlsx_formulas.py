"""Formula cells that hold no computed value, found in a workbook's sheet XML.

A workbook saved by a tool that does not compute (a script writing ``=1+2``, some converters)
keeps the formula with no cached value; opened for values, such a cell reads as empty, so an
hours column would silently count as 0. openpyxl reads either the formulas or the cached
values, not both, so the sheets that contain formulas at all are scanned once more here for
formula cells (``<f>``) whose value (``<v>``) is missing or empty; the reader then refuses those
cells by name. Sheets without a formula cost one pass of decompression and a byte search.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from typing import IO, Final
from xml.etree import ElementTree

__all__ = ["uncomputed_formulas"]

_MAIN: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS: Final = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS: Final = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CHUNK: Final = 1 << 20
_MARKERS: Final = (b"<f>", b"<f ", b"<f/>", b":f>", b":f ")


def uncomputed_formulas(path: str) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet title, the formula cells without a value: ``(row, column) → "E2: =1+2"``.

    A workbook whose parts cannot be read is left to the reader (an empty result).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            found: dict[str, dict[tuple[int, int], str]] = {}
            for title, member in _sheets(archive):
                with archive.open(member) as stream:
                    if not _has_formula(stream):
                        continue
                with archive.open(member) as stream:
                    cells = dict(_uncomputed(stream))
                if cells:
                    found[title] = cells
            return found
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError, ValueError):
        return {}


def _sheets(archive: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """Each worksheet's title and its part's name, from the workbook and its relationships."""
    targets: dict[str, str] = {}
    with archive.open("xl/_rels/workbook.xml.rels") as stream:
        for element in ElementTree.parse(stream).getroot().iter(f"{_RELS}Relationship"):
            target = element.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[element.get("Id", "")] = posixpath.normpath(name)
    with archive.open("xl/workbook.xml") as stream:
        for sheet in ElementTree.parse(stream).getroot().iter(f"{_MAIN}sheet"):
            member = targets.get(sheet.get(f"{_DOC_RELS}id", ""))
            if member is not None and member in archive.NameToInfo:
                yield sheet.get("name", ""), member


def _has_formula(stream: IO[bytes]) -> bool:
    """Whether the sheet's XML holds a formula element at all (a byte search, chunk by chunk)."""
    tail = b""
    while chunk := stream.read(_CHUNK):
        window = tail + chunk
        if any(marker in window for marker in _MARKERS):
            return True
        tail = window[-8:]
    return False


def _uncomputed(stream: IO[bytes]) -> Iterator[tuple[tuple[int, int], str]]:
    from openpyxl.utils.cell import coordinate_to_tuple

    for _, element in ElementTree.iterparse(stream):
        if element.tag != f"{_MAIN}c":
            if element.tag == f"{_MAIN}row":
                element.clear()
            continue
        formula = element.find(f"{_MAIN}f")
        if formula is not None and element.get("t") != "inlineStr":
            value = element.find(f"{_MAIN}v")
            coordinate = element.get("r")
            if (value is None or not (value.text or "").strip()) and coordinate:
                yield coordinate_to_tuple(coordinate), f"{coordinate}: ={formula.text or ''}"
