"""Issue 11, the input side: the defects a hostile or careless user found, one test each.

Grouped by the issue's headings. The output cases ("Data destroyed", "Output injection") are
pinned in ``tests/test_cli_output.py``; the two output items whose first fix was lost (the
problems file's formulas, a broken pipe) are here. Each number case runs through every path a
value takes: JSON (as a number and as text), CSV, XLSX, records in memory (the loaders' fast
path, in a batch and alone), the converter, the fact classes' constructors, ``Session.add`` and
the command line. A case that used to hang runs under an alarm, so that a regression fails
instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import decimal
import json
import os
import re
import subprocess
import sys
import types
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest

from assessment_engine import (
    Activity,
    Engine,
    InputError,
    PluginError,
    Record,
    RubricError,
    Team,
    hookimpl,
    load_facts,
)
from assessment_engine.facts import TAG, to_decimal
from assessment_engine.loading import facts_from_records
from assessment_engine.loading._converter import converter_for, fast_records
from assessment_engine.rubric import Dimension, Indicator, Linear, PerItem, Total, facts

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("click")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from alarms import no_hang  # noqa: E402
from cli_support import Cli  # noqa: E402

Y = "2024"


def team_record(team: str = "T1") -> dict[str, Any]:
    return {TAG: "team", "team": team, "period": Y, "name": f"班组 {team}", "headcount": 2}


def activity_record(hours: object, ident: str = "a1") -> dict[str, Any]:
    return {
        TAG: "activity",
        "team": "T1",
        "period": Y,
        "id": ident,
        "kind": "volunteer",
        "hours": hours,
    }


def problems(error: pytest.ExceptionInfo[InputError]) -> list[tuple[str, str | None, str]]:
    return [(p.record, p.field, p.reason) for p in error.value.problems]


# ============================================================================ data silently wrong
def xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


TEAMS = [["team", "period", "name", "headcount"], ["T1", Y, "一", 2], ["T2", Y, "二", 3]]


def rewrite_sheets(path: Path, change: Any) -> Path:
    """The workbook with every worksheet's XML passed through ``change``."""
    out = path.with_name("changed-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = change(data)
            dest.writestr(item, data)
    return out


def test_xlsx_formula_without_a_cached_value_is_refused_with_its_cell(tmp_path: Path) -> None:
    # openpyxl writes a formula without computing it: the state a tool that does not compute
    # leaves; the hours used to be read as 0 (the default of an empty cell)
    path = xlsx(
        tmp_path / "f.xlsx",
        {
            "team": TEAMS[:2],
            "activity": [["team", "period", "id", "kind", "hours"], ["T1", Y, "a1", "x", "=1+2"]],
        },
    )
    with pytest.raises(InputError) as caught:
        load_facts(path)
    [(record, field, reason)] = problems(caught)
    assert (record, field) == ("sheet activity, row 2", "hours")
    assert "formula" in reason
    assert "E2" in reason


def test_xlsx_formula_with_a_cached_value_reads_the_value(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "f.xlsx",
        {
            "team": TEAMS[:2],
            "activity": [["team", "period", "id", "kind", "hours"], ["T1", Y, "a1", "x", "=1+2"]],
        },
    )
    cached = rewrite_sheets(
        path, lambda d: re.sub(rb"<f>1\+2</f>(<v\s*/>|<v></v>)?", b"<f>1+2</f><v>3</v>", d)
    )
    [activity] = [f for f in load_facts(cached) if isinstance(f, Activity)]
    assert activity.hours == 3


@pytest.mark.parametrize("ref", ["A1:D2", "A1", "A1:B1", "A5:D9"])
def test_xlsx_stale_dimension_is_not_trusted(tmp_path: Path, ref: str) -> None:
    path = xlsx(tmp_path / "t.xlsx", {"team": TEAMS})
    stale = rewrite_sheets(
        path,
        lambda d: re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), d),
    )
    assert [t.team for t in load_facts(stale).teams(Y)] == ["T1", "T2"]


def test_xlsx_huge_declared_dimension_does_not_hang(tmp_path: Path) -> None:
    rows = [TEAMS[0], *([f"T{i}", Y, f"n{i}", 2] for i in range(2000))]
    path = xlsx(tmp_path / "t.xlsx", {"team": rows})
    bomb = rewrite_sheets(
        path,
        lambda d: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', d),
    )
    assert bomb.stat().st_size < 60_000
    with no_hang():
        assert len(load_facts(bomb).teams(Y)) == 2000


@pytest.mark.parametrize("value", ["T1\n", "T1 ", "\nT1", "T1\r\n"])
@pytest.mark.parametrize("field", ["team", "period", "id", "kind"])
def test_names_with_a_trailing_newline_are_refused_on_every_path(field: str, value: str) -> None:
    good = activity_record("1")
    bad = {**activity_record("1", "a2"), field: value}
    converter, _ = converter_for(None)
    with pytest.raises(InputError) as alone:
        facts_from_records([team_record(), bad])
    assert (field in {p.field for p in alone.value.problems}) or field == "team"
    with pytest.raises(InputError):
        facts_from_records([team_record(), good, bad, good | {"id": "a3"}])
    fast = fast_records(converter)
    assert fast is not None
    assert fast.rows([good, bad])[1] is None
    with pytest.raises((ValueError, TypeError)):
        Activity(**{k: v for k, v in bad.items() if k != TAG})


@pytest.mark.parametrize("ident", ["cv.hours\n", "cv\n", "cv.hours\r"])
def test_rubric_ids_with_a_trailing_newline_are_refused(ident: str) -> None:
    with pytest.raises((ValueError, TypeError)):
        Dimension(id=ident, label="x", max=10)
    with pytest.raises((ValueError, TypeError)):
        Indicator(id=ident, dimension="cv", label="x", max=1, scoring=PerItem(facts("activity"), 1))


def test_rubric_file_kind_names_with_a_trailing_newline_are_refused() -> None:
    from assessment_engine.rubric.files import RubricFileError, load

    text = (
        '[fact."visit\\n"]\nlabel = "visit"\n[fact."visit\\n".fields]\nplace = { type = "text" }\n'
    )
    with pytest.raises(RubricFileError) as caught:
        load(text)
    assert "lower-case identifier" in str(caught.value)
    field = '[fact.visit]\nlabel = "visit"\n[fact.visit.fields]\n"place\\n" = { type = "text" }\n'
    with pytest.raises(RubricFileError):
        load(field)


# ============================================================================ crashes and hangs
HUGE = {
    "72 significant digits": "1." + "1" * 71,
    "1e-70": "1e-70",
    "1e-9999": "1e-9999",
    "1e-99999999": "1e-99999999",
    "5,000 digits": "9" * 5000,
    "1e+99999999": "1e+99999999",
}


def _bounded(reason: str) -> bool:
    return any(word in reason for word in ("digits", "decimal places", "too large", "too small"))


@pytest.mark.parametrize("text", HUGE.values(), ids=HUGE.keys())
@pytest.mark.parametrize("form", ["json number", "json text", "csv", "xlsx"])
def test_unbounded_numbers_are_refused_by_the_loaders(tmp_path: Path, text: str, form: str) -> None:
    if form.startswith("json"):
        path = tmp_path / "facts.json"
        value = text if form == "json number" else json.dumps(text)
        body = json.dumps([team_record(), activity_record("__HOURS__")])
        path.write_text(body.replace('"__HOURS__"', value), encoding="utf-8")
        where = "record 1"
    elif form == "csv":
        path = tmp_path / "facts.csv"
        path.write_text(
            f"fact,team,period,name,headcount,id,kind,hours\nteam,T1,{Y},n,2,,,\n"
            f"activity,T1,{Y},,,a1,volunteer,{text}\n",
            encoding="utf-8",
        )
        where = "line 3"
    else:
        path = xlsx(
            tmp_path / "facts.xlsx",
            {
                "team": TEAMS[:2],
                "activity": [["team", "period", "id", "kind", "hours"], ["T1", Y, "a1", "v", text]],
            },
        )
        where = "sheet activity, row 2"
    with no_hang(), pytest.raises(InputError) as caught:
        load_facts(path)
    [(record, field, reason)] = problems(caught)
    assert (record, field) == (where, "hours")
    assert _bounded(reason), reason
    assert len(reason) < 300  # a 5,000-digit value is not echoed whole


@pytest.mark.parametrize("text", HUGE.values(), ids=HUGE.keys())
@pytest.mark.parametrize("as_type", [str, Decimal])
def test_unbounded_numbers_are_refused_in_memory(text: str, as_type: type) -> None:
    value = as_type(text)
    converter, _ = converter_for(None)
    fast = fast_records(converter)
    assert fast is not None
    with no_hang():
        assert fast.rows([activity_record("1"), activity_record(value, "a2")])[1] is None
        for records in (
            [team_record(), activity_record(value)],  # alone
            [team_record(), activity_record("1", "a0"), activity_record(value)],  # in a batch
        ):
            for given in (records, iter(records)):  # a list, and a stream read by batches
                with pytest.raises(InputError) as caught:
                    facts_from_records(given)
                [(_, field, reason)] = problems(caught)
                assert field == "hours"
                assert _bounded(reason), reason
        with pytest.raises(ValueError, match=r"digits|decimal places|too large"):
            Activity(team="T1", period=Y, id="a1", kind="v", hours=value)
        with pytest.raises(ValueError, match=r"digits|decimal places|too large"):
            to_decimal(value)


def test_huge_whole_numbers_are_refused_with_a_short_message() -> None:
    for value in (10**40, 10**5000, -(10**30)):
        with pytest.raises(InputError) as caught:
            facts_from_records([team_record() | {"headcount": value}])
        [(_, field, reason)] = problems(caught)
        assert field == "headcount"
        assert len(reason) < 300


@attrs.frozen(kw_only=True)
class Reading(Record):
    """A plugin kind whose number fields have no bounding converter of their own."""

    fact_kind: ClassVar[str] = "reading"
    value: Decimal = attrs.field(validator=attrs.validators.instance_of(Decimal))
    count: int = attrs.field(default=0, validator=attrs.validators.instance_of(int))


class ReadingRules:
    """Points for readings, and their values summed."""

    @hookimpl
    def assessment_register_fact_types(self) -> list[type]:
        return [Reading]

    @hookimpl
    def assessment_register_dimensions(self) -> list[Dimension]:
        return [Dimension(id="m", label="m", max=100)]

    @hookimpl
    def assessment_register_indicators(self) -> list[Indicator]:
        readings = facts("reading")
        return [
            Indicator(id="m.n", dimension="m", label="n", max=50, scoring=PerItem(readings, 1)),
            Indicator(
                id="m.v",
                dimension="m",
                label="v",
                max=50,
                scoring=Linear(Total(readings, "value"), 1, cap=50),
            ),
        ]


@pytest.mark.parametrize(
    "change",
    [{"value": Decimal("1e-9999")}, {"value": Decimal("1." + "1" * 71)}, {"count": 10**60}],
    ids=["1e-9999", "72 digits", "10**60"],
)
def test_session_add_and_engine_refuse_unbounded_numbers(change: dict[str, Any]) -> None:
    engine = Engine([ReadingRules()], entry_points=False, matcher="python")
    team = Team(team="T1", period=Y, name="一", headcount=2)
    fine = Reading(team="T1", period=Y, id="r1", value=Decimal(2))
    session = engine.session([team, fine])
    before = session.standing("T1")
    bad = Reading(team="T1", period=Y, id="r2", **({"value": Decimal(1)} | change))
    with no_hang(), pytest.raises(InputError) as caught:
        session.add(bad)
    [problem] = caught.value.problems
    assert problem.field == next(iter(change))
    assert _bounded(problem.reason), problem.reason
    assert session.standing("T1") == before  # nothing half-applied
    with no_hang(), pytest.raises(InputError):
        engine.assess([team, fine, bad])


@pytest.mark.parametrize("text", HUGE.values(), ids=HUGE.keys())
def test_unbounded_numbers_are_an_input_error_on_the_command_line(
    tmp_path: Path, text: str
) -> None:
    cli = Cli(tmp_path)
    path = tmp_path / "huge.json"
    body = json.dumps([team_record(), activity_record("__HOURS__")])
    path.write_text(body.replace('"__HOURS__"', text), encoding="utf-8")
    with no_hang():
        result = cli.run("evaluate", str(path))
    assert result.exit_code == 3, result.output
    assert "internal error" not in result.output
    assert "record 1, field 'hours'" in result.output


# ------------------------------------------------------------------------ files: kind and size
def _fifo(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


def _zero(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.symlink_to("/dev/zero")
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
@pytest.mark.parametrize("make", [_fifo, _zero], ids=["fifo", "/dev/zero"])
def test_a_file_that_is_not_a_regular_file_is_refused(
    tmp_path: Path, suffix: str, make: Any
) -> None:
    path = make(tmp_path, "facts" + suffix)
    with no_hang(20), pytest.raises(InputError) as caught:
        load_facts(path)
    [(record, _, reason)] = problems(caught)
    assert record == "file"
    assert "not a regular file" in reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("make", [_fifo, _zero], ids=["fifo", "/dev/zero"])
def test_a_rubric_file_that_is_not_a_regular_file_is_refused(tmp_path: Path, make: Any) -> None:
    from assessment_engine.rubric.files import load_files

    path = make(tmp_path, "rules.toml")
    with no_hang(20), pytest.raises(OSError, match="not a regular file"):
        load_files(path)
    cli = Cli(tmp_path)
    with no_hang(20):
        result = cli.run("evaluate", str(cli.facts), "--rubric", str(path))
    assert result.exit_code == 3
    assert "not a regular file" in result.output


def test_a_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSESSMENT_ENGINE_MAX_INPUT_BYTES", "1000")
    path = tmp_path / "facts.json"
    path.write_text(json.dumps([team_record(f"T{i}") for i in range(100)]), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_facts(path)
    [(_, _, reason)] = problems(caught)
    assert "1,000 bytes" in reason
    assert "ASSESSMENT_ENGINE_MAX_INPUT_BYTES" in reason
    monkeypatch.delenv("ASSESSMENT_ENGINE_MAX_INPUT_BYTES")
    assert len(load_facts(path).teams(Y)) == 100


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_xlsx_zip_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    good = xlsx(tmp_path / "good.xlsx", {"team": TEAMS})
    with zipfile.ZipFile(good) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(n for n in members if n.startswith("xl/worksheets/"))
    members[sheet] = members[sheet].replace(b"</worksheet>", b" " * 50_000_000 + b"</worksheet>")
    bomb = _zip(tmp_path / "bomb.xlsx", members)
    assert bomb.stat().st_size < 200_000
    with no_hang(), pytest.raises(InputError) as caught:
        load_facts(bomb)
    [(_, _, reason)] = problems(caught)
    assert "compress" in reason


def test_xlsx_with_too_many_members_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = xlsx(tmp_path / "good.xlsx", {"team": TEAMS})
    with zipfile.ZipFile(good) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members.update({f"xl/media/x{i}.bin": b"x" for i in range(200)})
    many = _zip(tmp_path / "many.xlsx", members)
    monkeypatch.setenv("ASSESSMENT_ENGINE_MAX_ZIP_MEMBERS", "100")
    with pytest.raises(InputError) as caught:
        load_facts(many)
    assert "members" in problems(caught)[0][2]
    monkeypatch.delenv("ASSESSMENT_ENGINE_MAX_ZIP_MEMBERS")
    assert len(load_facts(many).teams(Y)) == 2


def test_standard_input_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    data = json.dumps([team_record(f"T{i}") for i in range(100)])
    result = cli.run("evaluate", "-", input=data, env={"ASSESSMENT_ENGINE_MAX_INPUT_BYTES": "1000"})
    assert result.exit_code == 3
    assert "1,000 bytes" in result.output


# ----------------------------------------------------------------------------------- plugins
def _plugin(name: str, **hooks: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook, function in hooks.items():
        setattr(module, hook, hookimpl(function))
    return module


class _Stop(BaseException):
    pass


def _raise(exc: BaseException) -> Any:
    def hook() -> list[object]:
        raise exc

    return hook


@pytest.mark.parametrize(
    "exc", [SystemExit(0), SystemExit(3), GeneratorExit(), _Stop("stop")], ids=repr
)
def test_a_hook_raising_a_base_exception_is_a_plugin_error_naming_it(exc: BaseException) -> None:
    faulty = _plugin("faulty", assessment_register_dimensions=_raise(exc))
    with pytest.raises(PluginError) as caught:
        Engine([faulty], entry_points=False, matcher="python")
    assert caught.value.plugin == "faulty"
    assert caught.value.hook == "assessment_register_dimensions"
    assert type(exc).__name__ in str(caught.value)


def test_keyboard_interrupt_in_a_hook_still_interrupts() -> None:
    faulty = _plugin("faulty", assessment_register_dimensions=_raise(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        Engine([faulty], entry_points=False, matcher="python")


@pytest.mark.parametrize("where", ["import", "hook", "constructor"])
def test_a_plugin_file_calling_sys_exit_is_a_plugin_error_on_the_command_line(
    tmp_path: Path, where: str
) -> None:
    cli = Cli(tmp_path)
    body = {
        "import": "import sys\nsys.exit(0)\nclass Quit: pass\n",
        "hook": "import sys\nfrom assessment_engine import hookimpl\nclass Quit:\n"
        "    @hookimpl\n    def assessment_register_dimensions(self):\n        sys.exit(0)\n",
        "constructor": "import sys\nclass Quit:\n    def __init__(self):\n        sys.exit(0)\n",
    }[where]
    (tmp_path / "quit.py").write_text(body, encoding="utf-8")
    result = cli.run("evaluate", str(cli.facts), "--plugin", f"{tmp_path / 'quit.py'}:Quit")
    assert result.exit_code == 4, result.output
    assert "SystemExit" in result.output
    assert "quit.py" in result.output


@pytest.mark.parametrize("name", ["fact", "fact_kind", "_secret"])
def test_a_plugin_fact_class_with_a_reserved_field_is_refused_at_registration(name: str) -> None:
    namespace: dict[str, Any] = {
        "__annotations__": {"fact_kind": ClassVar[str], name: str},
        "fact_kind": "visit",
        name: attrs.field(default=""),
    }
    cls = attrs.frozen(kw_only=True)(type("Visit", (Record,), namespace))
    kinds = _plugin("kinds", assessment_register_fact_types=lambda: [cls])
    with pytest.raises((PluginError, RubricError)) as caught:
        Engine([kinds], entry_points=False, matcher="python")
    assert repr(name.lstrip("_") if name.startswith("_") else name) in str(caught.value) or (
        name in str(caught.value)
    )
    assert "Visit" in str(caught.value)


def test_three_thousand_indicators_compile() -> None:
    count = 3000
    rules = _plugin(
        "many",
        assessment_register_dimensions=lambda: [Dimension(id="d", label="d", max=count)],
        assessment_register_indicators=lambda: [
            Indicator(
                id=f"d.i{i}",
                dimension="d",
                label=f"i{i}",
                max=1,
                scoring=PerItem(facts("activity", kind=f"k{i}"), 1, cap=1),
            )
            for i in range(count)
        ],
    )
    engine = Engine([rules], entry_points=False, matcher="python")
    report = engine.assess(
        [
            Team(team="T1", period=Y, name="一", headcount=2),
            Activity(team="T1", period=Y, id="a1", kind="k7"),
        ]
    )
    [assessment] = report.assessments
    assert assessment.dimension("d").score == 1


def _kinds_with(validator: Any) -> types.ModuleType:
    @attrs.frozen(kw_only=True)
    class Visit(Record):
        fact_kind: ClassVar[str] = "visit"
        place: str = attrs.field(default="", validator=validator)

    return _plugin("visits", assessment_register_fact_types=lambda: [Visit])


@pytest.mark.parametrize(
    ("exc", "message"),
    [(KeyError("no such place"), "no such place"), (ZeroDivisionError("bad ratio"), "bad ratio")],
    ids=["KeyError", "ZeroDivisionError"],
)
def test_a_plugin_validator_error_names_the_field_and_keeps_its_message(
    tmp_path: Path, exc: Exception, message: str
) -> None:
    def check(instance: object, attribute: object, value: str) -> None:
        if value == "bad":
            raise exc

    engine = Engine([_kinds_with(check)], entry_points=False, matcher="python")
    records = [
        team_record(),
        {TAG: "visit", "team": "T1", "period": Y, "id": "v1", "place": "fine"},
        {TAG: "visit", "team": "T1", "period": Y, "id": "v2", "place": "bad"},
    ]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    for load in (
        lambda: engine.load_facts(path),
        lambda: facts_from_records(records, fact_types=engine.rubric.fact_types),
        lambda: facts_from_records(records[::2], fact_types=engine.rubric.fact_types),
    ):
        with pytest.raises(InputError) as caught:
            load()
        [(_, field, reason)] = problems(caught)
        assert field == "place"
        assert message in reason
        assert type(exc).__name__ in reason
        assert "required, but not given" not in reason


# ==================================================================================== output
def test_the_problems_file_neutralises_formulas(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps([team_record() | {"name": '=HYPERLINK("http://x")', "headcount": "@x"}]),
        encoding="utf-8",
    )
    out = tmp_path / "problems.csv"
    result = cli.run("evaluate", str(bad), "--problems-file", str(out))
    assert result.exit_code == 3
    import csv

    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in cells)
    assert any("HYPERLINK" in cell or "'@x" in cell for cell in cells)


def test_a_broken_pipe_exits_1_quietly(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    command = [
        sys.executable,
        "-c",
        "from assessment_engine.cli import main; main()",
        "evaluate",
        str(cli.facts),
        "--format",
        "csv",
        "--no-entry-points",
        "--plugin",
        cli.rules,
        "--matcher",
        "python",
    ]
    read, write = os.pipe()
    os.close(read)  # the reader has gone before anything is written (``| head`` that ended)
    try:
        done = subprocess.run(command, stdout=write, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write)
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr
    assert done.stderr == b""


def test_decimal_context_is_not_left_changed() -> None:
    # the bound is checked without arithmetic: nothing changes the thread's decimal context
    before = decimal.getcontext().copy()
    with contextlib.suppress(ValueError):
        to_decimal("1e-99999999")
    assert decimal.getcontext().prec == before.prec
