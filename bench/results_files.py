"""Results files: writing ranking rows in each format, and reading any results file back.

The *output* side of the file paths. A ranking row has the reference's shape,
``(team, total, party_building, business, civility, grade, rank)``.

- :data:`WRITERS` write rows in a format with its usual library — the reference's output, and
  the engine's where the public API has no writer of its own for the format (it has
  ``Report.to_json``; CSV and XLSX results are written by the command line only).
- :func:`read_rows` reads a results file back to rows, whoever wrote it: the reference, the
  bench, ``Report.to_json``, ``assessment-engine evaluate`` (CSV, JSON, XLSX) or ``report``
  (HTML: the ranking table), so every path's output is checked against the reference's digest.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

Row = tuple  # (team, total, pb, bz, cv, grade, rank)
HEADER = ("rank", "team", "total", "party_building", "business", "civility", "grade")
DIMENSIONS = ("party_building", "business", "civility")


def _ordered(row: Row) -> list:
    team, total, pb, bz, cv, grade, rank = row
    return [rank, team, total, pb, bz, cv, grade]


# --------------------------------------------------------------------------- writers


def write_json_rows(rows: Sequence[Row], path: Path) -> None:
    """A JSON list of rows (every value as text), in rank order."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump([[str(x) for x in row] for row in rows], fh, ensure_ascii=False)


def write_csv_rows(rows: Sequence[Row], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(_ordered(row) for row in rows)


def write_xlsx_rows(rows: Sequence[Row], path: Path) -> None:
    """A workbook with one sheet ``ranking`` (numbers as numbers)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("ranking")
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append(_ordered(row))
    workbook.save(path)


def write_parquet_rows(rows: Sequence[Row], path: Path) -> None:
    """One table: rank int64, team and grade strings, the four numbers float64."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = list(zip(*(_ordered(row) for row in rows), strict=True)) or [()] * len(HEADER)
    arrays = {}
    for name, values in zip(HEADER, columns, strict=True):
        if name in ("team", "grade"):
            arrays[name] = pa.array(values, pa.string())
        elif name == "rank":
            arrays[name] = pa.array(values, pa.int64())
        else:
            arrays[name] = pa.array([float(v) for v in values], pa.float64())
    pq.write_table(pa.table(arrays), path)


WRITERS: dict[str, Callable[[Sequence[Row], Path], None]] = {
    "json": write_json_rows,
    "csv": write_csv_rows,
    "xlsx": write_xlsx_rows,
    "parquet": write_parquet_rows,
}


# --------------------------------------------------------------------------- readers


def _row(record: dict) -> Row:
    """A row from a mapping with the ranking's column names (``total`` or ``composite``)."""
    total = record.get("total", record.get("composite"))
    rank = record["rank"]
    return (
        str(record["team"]),
        float(total),
        *(float(record[d]) for d in DIMENSIONS),
        str(record["grade"]),
        int(rank),
    )


def _read_json(path: Path) -> list[Row]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if isinstance(data, list):  # the reference's rows
        return [
            (t, float(s), float(p), float(b), float(c), g, int(r)) for t, s, p, b, c, g, r in data
        ]
    if "ranking" in data:  # render.json's lean form / evaluate --format json --no-details
        return [
            (
                e["team"],
                float(e["composite"]),
                *(float(e["scores"][d]) for d in DIMENSIONS),
                e["grade"],
                e["rank"],
            )
            for e in data["ranking"]
        ]
    rows = []  # Report.to_json / evaluate --format json: the full report
    for a in data["teams"]:
        scores = {d["id"]: d["score"] for d in a["dimensions"]}
        grade = a["grade"]["label"] if a["grade"] else None
        rows.append(
            (
                a["team"],
                float(a["composite"]),
                *(float(scores[d]) for d in DIMENSIONS),
                grade,
                a["rank"],
            )
        )
    return rows


def _read_csv(path: Path) -> list[Row]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [_row(record) for record in csv.DictReader(fh)]


#: The engine's results workbook (render/xlsx.py): its ranking sheet, and the columns read.
ENGINE_RANKING_SHEET = "排名"
ENGINE_HEADERS = {
    "排名": "rank",
    "班组编号": "team",
    "综合得分": "composite",
    "综合等级": "grade",
    "党建": "party_building",
    "业务": "business",
    "精神文明": "civility",
}


def _read_xlsx(path: Path) -> list[Row]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if "ranking" in workbook.sheetnames:  # the reference's workbook
            values = workbook["ranking"].iter_rows(values_only=True)
            header = [str(c) for c in next(values)]
        else:  # the engine's: Chinese headers, the dimensions by their labels
            values = workbook[ENGINE_RANKING_SHEET].iter_rows(values_only=True)
            header = [ENGINE_HEADERS.get(str(c), str(c)) for c in next(values)]
        return [_row(dict(zip(header, v, strict=False))) for v in values]
    finally:
        workbook.close()


def _read_parquet(path: Path) -> list[Row]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    names = table.column_names
    columns = [table.column(c).to_pylist() for c in names]
    return [_row(dict(zip(names, v, strict=True))) for v in zip(*columns, strict=True)]


#: The engine's ranking table row (``html_report``) and the reference page's row.
_ENGINE_ROW = re.compile(
    r'<tr(?: class="vetoed")? data-team="([^"]+)"><td class="num"><span class="rank[^"]*"[^>]*>'
    r"([^<]*)</span></td><td>.*?</td><td>[^<]*</td>"
    r'<td class="num">([-\d.]+) <span class="pill [^"]*" title="([^"]*)">.*?</td>'
    r'<td class="num">([-\d.]+) </td><td class="num">([-\d.]+) </td><td class="num">([-\d.]+) </td>'
)
_REFERENCE_ROW = re.compile(
    r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([-\d.]+)</td><td>([-\d.]+)</td>"
    r"<td>([-\d.]+)</td><td>([-\d.]+)</td><td>([^<]*)</td></tr>"
)


_ENGINE_DATA = re.compile(r'<script type="application/json" id="ranking-data">(.*?)</script>', re.S)


def _read_html(path: Path) -> list[Row]:
    text = path.read_text(encoding="utf-8")
    data = _ENGINE_DATA.search(text)
    if data is not None:  # the engine's page: every row is in the ranking's data block
        return [
            (
                r["team"],
                float(r["composite"]),
                *(float(x) for x in r["scores"]),
                r["gradeText"],
                r["rank"],
            )
            for r in json.loads(data[1])["rows"]
        ]
    rows = [
        (
            html.unescape(t),
            float(s),
            float(p),
            float(b),
            float(c),
            html.unescape(g),
            int(r.rstrip("=")),
        )
        for t, r, s, g, p, b, c in _ENGINE_ROW.findall(text)
    ]
    if not rows:
        rows = [
            (html.unescape(t), float(s), float(p), float(b), float(c), html.unescape(g), int(r))
            for r, t, s, p, b, c, g in _REFERENCE_ROW.findall(text)
        ]
    return rows


READERS: dict[str, Callable[[Path], list[Row]]] = {
    ".json": _read_json,
    ".csv": _read_csv,
    ".xlsx": _read_xlsx,
    ".parquet": _read_parquet,
    ".html": _read_html,
}


def read_rows(path: Path) -> list[Row]:
    """The ranking rows of any results file, by its suffix."""
    return READERS[path.suffix.lower()](path)


def reference_html(rows: Sequence[Row]) -> str:
    """The reference's page: one self-contained HTML document with the ranking table."""
    e = html.escape
    body = "".join(
        f"<tr><td>{rank}</td><td>{e(team)}</td><td>{total:.2f}</td><td>{pb:.2f}</td>"
        f"<td>{bz:.2f}</td><td>{cv:.2f}</td><td>{e(grade)}</td></tr>"
        for team, total, pb, bz, cv, grade, rank in rows
    )
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ranking</title>'
        "<style>td{text-align:right}</style></head><body><h1>Ranking</h1>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>\n"
    )
