"""Fuzzing every loader: mutated valid files give a located InputError or a correct load.

Each test starts from a small valid file of its format — JSON, CSV, XLSX, Parquet, a rubric
file — and lets hypothesis mutate it: bytes flipped, inserted, deleted or repeated, and tokens a
careless or hostile user would type (``1e-99999999``, a trailing newline, 5,000 digits, NaN,
quotes, NUL). Every outcome must be a load that succeeds, or the loader's own error with every
problem located (a source and a record); never another exception, and never a hang (each
example runs under an alarm). The examples are derandomised, so CI runs the same cases every
time; ``FUZZ_EXAMPLES=2000 FUZZ_RANDOM=1 pytest tests/test_fuzz_loaders.py`` searches further.
"""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment_engine import InputError, load_facts
from assessment_engine.factset import FactSet
from assessment_engine.rubric.files import RubricFileError, load

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from alarms import no_hang  # noqa: E402

openpyxl = pytest.importorskip("openpyxl")

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

#: What a careless or hostile user types into a cell or a value.
TOKENS = [
    b"1e-99999999",
    b"1e+99999999",
    b"1e-70",
    b"9" * 5000,
    b"1." + b"1" * 71,
    b"NaN",
    b"-Infinity",
    b"\n",
    b"\r\n",
    b"\x00",
    b'"',
    b",",
    b"{",
    b"[",
    b"]",
    b"null",
    b"true",
    b"-0",
    b"=1+2",
    b"\xef\xbb\xbf",
    b"\xff",
    "班组".encode(),
    b"T1\n",
]

VALID_RECORDS = [
    {"fact": "team", "team": "T1", "period": "2024", "name": "一班", "headcount": 3},
    {"fact": "team", "team": "T2", "period": "2024", "name": "二班", "headcount": 2},
    {"fact": "member", "team": "T1", "period": "2024", "id": "m1", "party_status": "member"},
    {"fact": "activity", "team": "T1", "period": "2024", "id": "a1", "kind": "volunteer",
     "hours": "2.5"},
    {"fact": "activity", "team": "T2", "period": "2024", "id": "a1", "kind": "study",
     "hours": 4, "participants": 2},
]  # fmt: skip

CSV_TEXT = (
    "fact,team,period,name,headcount,id,party_status,kind,hours\n"
    "team,T1,2024,一班,3,,,,\n"
    "team,T2,2024,二班,2,,,,\n"
    "member,T1,2024,,,m1,member,,\n"
    "activity,T1,2024,,,a1,,volunteer,2.5\n"
    "activity,T2,2024,,,a1,,study,4\n"
).encode()


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one to four mutations."""
    result = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(result)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "token"]))
        if kind == "flip" and at < len(result):
            result[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            result[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del result[at : at + draw(st.integers(1, 16))]
        elif kind == "repeat":
            end = min(len(result), at + draw(st.integers(1, 32)))
            result[at:at] = result[at:end] * draw(st.integers(1, 3))
        else:
            token = draw(st.sampled_from(TOKENS))
            result[at : at + draw(st.integers(0, 6))] = token
    return bytes(result)


def check_outcome(path: Path) -> None:
    """A correct load, or an InputError with every problem located."""
    error: InputError | None = None
    try:
        with no_hang():
            facts = load_facts(path)
    except InputError as exc:
        error = exc
    if error is None:
        assert isinstance(facts, FactSet)
        assert len(list(facts)) == len(facts)
        return
    assert error.problems
    for problem in error.problems:
        assert problem.source
        assert problem.record
        assert problem.reason
        assert len(problem.reason) < 2_000  # no value echoed whole


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@FUZZ
@given(data=mutated(json.dumps(VALID_RECORDS, ensure_ascii=False).encode()))
def test_json_loader_survives_mutation(tmp_path: Path, data: bytes) -> None:
    check_outcome(write(tmp_path, "facts.json", data))


@FUZZ
@given(data=mutated(CSV_TEXT))
def test_csv_loader_survives_mutation(tmp_path: Path, data: bytes) -> None:
    check_outcome(write(tmp_path, "facts.csv", data))


def _workbook() -> dict[str, bytes]:
    """The parts of a small valid facts workbook."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    team = book.create_sheet("team")
    for row in (["team", "period", "name", "headcount"], ["T1", "2024", "一班", 3]):
        team.append(row)
    activity = book.create_sheet("activity")
    for row in (["team", "period", "id", "kind", "hours"], ["T1", "2024", "a1", "volunteer", 2.5]):
        activity.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


WORKBOOK = _workbook()
SHEETS = sorted(name for name in WORKBOOK if name.startswith("xl/worksheets/sheet"))


@FUZZ
@given(
    sheet=st.sampled_from(SHEETS),
    data=st.data(),
)
def test_xlsx_loader_survives_mutated_sheets(
    tmp_path: Path, sheet: str, data: st.DataObject
) -> None:
    parts = dict(WORKBOOK)
    parts[sheet] = data.draw(mutated(parts[sheet]))
    path = tmp_path / "facts.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    check_outcome(path)


@FUZZ
@given(data=st.data())
def test_xlsx_loader_survives_mutated_archives(tmp_path: Path, data: st.DataObject) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in WORKBOOK.items():
            archive.writestr(name, content)
    check_outcome(write(tmp_path, "facts.xlsx", data.draw(mutated(buffer.getvalue()))))


@FUZZ
@given(data=mutated(CSV_TEXT))
def test_parquet_loader_survives_mutated_values(tmp_path: Path, data: bytes) -> None:
    pa = pytest.importorskip("pyarrow")
    pa_csv = pytest.importorskip("pyarrow.csv")
    pq = pytest.importorskip("pyarrow.parquet")
    try:  # the mutated text as a table of text columns (what a careless export writes)
        table = pa_csv.read_csv(
            io.BytesIO(data),
            convert_options=pa_csv.ConvertOptions(column_types={}, strings_can_be_null=False),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=False),
        )
        table = table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError, UnicodeDecodeError):
        return  # not a table at all: nothing for the Parquet reader to read
    path = tmp_path / "facts.parquet"
    pq.write_table(table, path)
    check_outcome(path)


@FUZZ
@given(data=st.data())
def test_parquet_loader_survives_mutated_files(tmp_path: Path, data: st.DataObject) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "fact": ["team", "activity"],
            "team": ["T1", "T1"],
            "period": ["2024", "2024"],
            "name": ["一班", None],
            "headcount": [3, None],
            "id": [None, "a1"],
            "kind": [None, "volunteer"],
            "hours": [None, "2.5"],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    check_outcome(write(tmp_path, "facts.parquet", data.draw(mutated(buffer.getvalue()))))


RUBRIC = (
    Path(__file__).resolve().parents[1]
    / "plugins/civility/src/assessment_1252_civility/rubric.toml"
).read_bytes()


@FUZZ
@given(data=mutated(RUBRIC))
def test_rubric_file_loader_survives_mutation(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # the file reader refuses it before the loader sees it
    error: RubricFileError | None = None
    try:
        with no_hang():
            load(text)
    except RubricFileError as exc:
        error = exc
    if error is not None:  # every problem located in the file
        assert error.problems
        assert all(problem.source for problem in error.problems)
