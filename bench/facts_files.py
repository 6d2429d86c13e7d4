"""The workload as facts files, and the reference's readers of those files.

One module per concern of the file paths: this one knows the *input* side. For every format it
has a writer (the workload's dict records → a facts file in the layout the project documents,
``docs/facts.md`` and ``docs/cli.md``; used to prepare the input, never timed) and the
reference's reader (the file → the reference's ``(team id, [fact dict])`` pairs, with the
format's usual library: ``json``, ``csv``, openpyxl, pyarrow).

The files hold exactly what ``engine_facts.team_facts`` builds from the same records: one
``team`` record per team (``headcount`` = its members, what the reference divides by) and the
team's records with string ids, in the period ``engine_facts.PERIOD``.

Adding a format is adding it to :data:`FORMATS` with a writer and a reader; whether the engine
reads it is detected (:func:`engine_reads`), never assumed.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: The period of every record: ``engine_facts.PERIOD`` (not imported: the reference's jobs
#: must not load the engine; tests/test_bench.py checks that the two agree).
PERIOD = "bench"
Teams = list[tuple[str, list[dict]]]

#: Columns of every kind, in the order the files hold them (the project's field names).
KIND_COLUMNS = {
    "team": ("team", "period", "name", "department", "headcount"),
    "member": ("team", "period", "id", "party_status", "age"),
    "activity": ("team", "period", "id", "kind", "hours"),
    "achievement": ("team", "period", "id", "kind", "level"),
    "metric": ("team", "period", "id", "kind", "value"),
    "incident": ("team", "period", "id", "kind"),
}
#: The columns of a mixed file (a ``fact`` column naming each row's kind), as in the template.
MIXED_COLUMNS = (
    "fact",
    "team",
    "period",
    "id",
    "name",
    "department",
    "headcount",
    "party_status",
    "age",
    "kind",
    "hours",
    "level",
    "value",
)
#: Rows a worksheet holds (Excel's limit), the header included.
SHEET_ROWS = 1_048_576


# --------------------------------------------------------------------------- records


def project_records(teams: Iterable[tuple[str, list[dict]]]) -> Iterator[dict]:
    """The workload's records in the project's fact fields, each tagged with its ``fact`` kind.

    Values keep their Python types (ints, floats, strings); each writer renders them.
    """
    for tid, facts in teams:
        members = sum(1 for f in facts if f["type"] == "member")
        yield {
            "fact": "team",
            "team": tid,
            "period": PERIOD,
            "name": tid,
            "department": "bench",
            "headcount": members,
        }
        for f in facts:
            kind = f["type"]
            record = {"fact": kind, "team": tid, "period": PERIOD, "id": str(f["id"])}
            if kind == "member":
                record["party_status"] = f["status"]
                record["age"] = f["age"]
            else:
                record["kind"] = f["kind"]
                if kind == "activity":
                    record["hours"] = f["hours"]
                elif kind == "achievement":
                    record["level"] = f["level"]
                elif kind == "metric":
                    record["value"] = f["value"]
            yield record


class _Grouper:
    """Records (tagged with ``fact``) → the reference's ``(team id, [fact dict])`` pairs.

    Values arrive as the format gives them (text in CSV, numbers in JSON); the reference's
    dicts hold floats for hours and values and ints for ages, as the workload generates them.
    """

    def __init__(self) -> None:
        self.by_team: dict[str, list[dict]] = {}

    def add(self, r: dict) -> None:
        kind = r["fact"]
        facts = self.by_team.get(r["team"])
        if facts is None:
            facts = self.by_team[r["team"]] = []
        if kind == "team":
            return
        d = {"type": kind, "kind": r.get("kind")}
        if kind == "member":
            d["status"] = r["party_status"]
            d["age"] = int(r["age"])
        elif kind == "activity":
            d["hours"] = float(r.get("hours") or 0)
        elif kind == "achievement":
            d["level"] = r.get("level")
        elif kind == "metric":
            d["value"] = float(r["value"])
        facts.append(d)

    def teams(self) -> Teams:
        return list(self.by_team.items())


# --------------------------------------------------------------------------- JSON


def write_json(teams: Teams, path: Path) -> None:
    """``{"facts": [...]}``, one record per line (JSON numbers for numbers)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"facts": [\n')
        first = True
        for record in project_records(teams):
            if not first:
                fh.write(",\n")
            fh.write(json.dumps(record, ensure_ascii=False))
            first = False
        fh.write("\n]}\n")


def read_json(path: Path) -> Teams:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    grouper = _Grouper()
    for r in data["facts"]:
        grouper.add(r)
    return grouper.teams()


# --------------------------------------------------------------------------- CSV


def write_csv(teams: Teams, path: Path) -> None:
    """One CSV file with a ``fact`` column, the layout of ``assessment-engine template``."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(MIXED_COLUMNS)
        for record in project_records(teams):
            writer.writerow([record.get(c, "") for c in MIXED_COLUMNS])


def read_csv(path: Path) -> Teams:
    grouper = _Grouper()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            grouper.add(row)
    return grouper.teams()


# --------------------------------------------------------------------------- XLSX


def write_xlsx(teams: Teams, path: Path) -> None:
    """One sheet per kind, named after it (the template's layout); a kind with more rows than a
    sheet holds continues on sheets ``<kind> 2``, ``<kind> 3``, … with a ``fact`` column."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheets: dict[str, list] = {}  # kind -> [sheet, rows in it, continuation number]

    def sheet_for(kind: str):
        entry = sheets.get(kind)
        if entry is None or entry[1] >= SHEET_ROWS:
            number = 1 if entry is None else entry[2] + 1
            columns = KIND_COLUMNS[kind]
            if number == 1:
                sheet = workbook.create_sheet(kind)
                sheet.append(list(columns))
            else:
                sheet = workbook.create_sheet(f"{kind} {number}")
                sheet.append(["fact", *columns])
            entry = sheets[kind] = [sheet, 1, number]
        return entry

    for record in project_records(teams):
        kind = record["fact"]
        entry = sheet_for(kind)
        values = [record.get(c) for c in KIND_COLUMNS[kind]]
        entry[0].append(values if entry[2] == 1 else [kind, *values])
        entry[1] += 1
    workbook.save(path)


def read_xlsx(path: Path) -> Teams:
    import openpyxl

    grouper = _Grouper()
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [str(c) for c in next(rows)]
            tagged = "fact" in header
            kind = str(sheet.title)
            for values in rows:
                record = dict(zip(header, values, strict=False))
                if not tagged:
                    record["fact"] = kind
                grouper.add(record)
    finally:
        workbook.close()
    return grouper.teams()


# --------------------------------------------------------------------------- Parquet


def _parquet_schema():
    import pyarrow as pa

    types = {"headcount": pa.int64(), "age": pa.int64(), "hours": pa.int64()}
    types["value"] = pa.decimal128(15, 3)  # exact, as the engine reads numbers
    return pa.schema([(c, types.get(c, pa.string())) for c in MIXED_COLUMNS])


def write_parquet(teams: Teams, path: Path) -> None:
    """One table with a ``fact`` column and the mixed CSV file's columns, typed: text as
    strings, whole numbers as int64, ``value`` as decimal128(15, 3); row groups of 64 Ki rows."""
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema()
    with pq.ParquetWriter(path, schema) as writer:
        columns: dict[str, list] = {c: [] for c in MIXED_COLUMNS}

        def flush() -> None:
            writer.write_table(pa.table(columns, schema=schema))
            for values in columns.values():
                values.clear()

        for record in project_records(teams):
            for c in MIXED_COLUMNS:
                value = record.get(c)
                if c == "value" and value is not None:
                    value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
                columns[c].append(value)
            if len(columns["fact"]) >= 65536:
                flush()
        if columns["fact"]:
            flush()


def read_parquet(path: Path) -> Teams:
    """Column by column, as one reads a columnar file: numbers cast to float64 by Arrow, each
    column made a Python list once, then the reference's dicts built row by row from them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)

    def column(name: str, cast=None) -> list:
        values = table.column(name)
        return (values.cast(cast) if cast is not None else values).to_pylist()

    kinds, statuses, levels, ages = (
        column("kind"),
        column("party_status"),
        column("level"),
        column("age"),
    )
    hours, values = column("hours", pa.float64()), column("value", pa.float64())
    by_team: dict[str, list[dict]] = {}
    for i, (fact, tid) in enumerate(zip(column("fact"), column("team"), strict=True)):
        facts = by_team.get(tid)
        if facts is None:
            facts = by_team[tid] = []
        if fact == "team":
            continue
        d = {"type": fact, "kind": kinds[i]}
        if fact == "member":
            d["status"] = statuses[i]
            d["age"] = ages[i]
        elif fact == "activity":
            d["hours"] = hours[i] or 0.0
        elif fact == "achievement":
            d["level"] = levels[i]
        elif fact == "metric":
            d["value"] = values[i]
        facts.append(d)
    return list(by_team.items())


# --------------------------------------------------------------------------- formats


@dataclass(frozen=True)
class Format:
    """One facts-file format: its suffix, writer, the reference's reader, what it needs."""

    name: str
    suffix: str
    write: Callable[[Teams, Path], None]
    read: Callable[[Path], Teams]
    needs: str | None = None  # a module the format's files need (writing and the reference)


FORMATS = {
    "json": Format("json", ".json", write_json, read_json),
    "csv": Format("csv", ".csv", write_csv, read_csv),
    "xlsx": Format("xlsx", ".xlsx", write_xlsx, read_xlsx, needs="openpyxl"),
    "parquet": Format("parquet", ".parquet", write_parquet, read_parquet, needs="pyarrow"),
}


def missing_module(fmt: Format) -> str | None:
    """The module the format needs that is not installed, or ``None``."""
    if fmt.needs is None:
        return None
    import importlib.util

    return None if importlib.util.find_spec(fmt.needs) else fmt.needs


def engine_reads(fmt: Format, workdir: Path) -> tuple[bool, str]:
    """Whether the engine's public loader reads this format, found out by trying.

    A one-team file is written and given to ``Engine.load_facts``; a refusal of the file type
    (the loader's "unsupported file type" problem) means *not supported yet*. Any other
    outcome is an answer too: it loads (supported) or fails for another reason (reported).
    """
    import workload_plugin
    from assessment_engine import Engine, InputError
    from workload import generate

    missing = missing_module(fmt)
    if missing:
        return False, f"{missing} is not installed"
    probe = workdir / f"probe{fmt.suffix}"
    fmt.write(generate(1), probe)
    try:
        with Engine(plugins=[workload_plugin], entry_points=False) as engine:
            engine.load_facts(probe)
    except InputError as exc:
        reasons = " ".join(p.reason for p in exc.problems)
        if "unsupported file type" in reasons:
            return False, "not supported yet (the public loader refuses the file type)"
        return False, f"the loader rejects the benchmark's file: {reasons[:300]}"
    finally:
        os.unlink(probe)
    return True, "engine.load_facts"
