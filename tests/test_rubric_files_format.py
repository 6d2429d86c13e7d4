"""The rubric file format: completeness, round trips, located errors, positions, the plugin.

Errors name the file, the line, the column, the key path and the reason; every problem of a
file is reported at once; a rubric dumped and loaded back keeps its content hash.
"""

from __future__ import annotations

import copy
import sys
import tomllib
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import assessment_engine.rubric as model
from assessment_engine import ConflictError, Engine, Rubric, rubric_file, rubric_files
from assessment_engine._plugins import rubric_text
from assessment_engine.cli import main
from assessment_engine.errors import RubricError
from assessment_engine.rubric.conditions import CONDITION_TYPES, QUANTITY_TYPES
from assessment_engine.rubric.files import RubricFile, RubricFileError, dump, load
from assessment_engine.rubric.files._codecs import FORMS, SECTIONS, codec_for, fields_of
from assessment_engine.rubric.files._dump import emit
from assessment_engine.rubric.files._format import FORMATTED_TYPES
from assessment_engine.rubric.files._load import BUILTIN_FACT_TYPES
from assessment_engine.rubric.files._positions import _Scanner, index_positions

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from strategies import rubrics  # noqa: E402

ROOT = HERE.parent
EXAMPLE = ROOT / "examples" / "institute-2024.json"


def rubric_of(loaded: RubricFile) -> Rubric:
    return Rubric.build(
        fact_types=[*BUILTIN_FACT_TYPES, *loaded.fact_types],
        dimensions=loaded.dimensions,
        indicators=loaded.indicators,
        rules=loaded.rules,
        grade_scales=loaded.grade_scales,
        weights=loaded.weights,
        ranking=loaded.ranking,
    )


# ----------------------------------------------------------------------------- completeness
def _model_classes() -> set[type]:
    return {
        obj
        for name in model.__all__
        if isinstance(obj := getattr(model, name), type) and attrs.has(obj)
    }


def _reachable() -> set[type]:
    """Every class a file can hold, from its sections, through the codecs."""
    seen: set[type] = set()
    todo: list[type] = [cls for cls, _ in SECTIONS.values()] + list(FORMS.values())
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for form in fields_of(cls):
            kind = form.codec.kind
            if form.codec.cls is not None:
                todo.append(form.codec.cls)
            elif kind == "scoring":
                todo.extend(FORMS.values())
            elif kind == "points":
                todo.append(model.PointsBy)
    return seen


def test_every_class_of_the_model_has_a_file_form() -> None:
    classes = _model_classes()
    expression = set(CONDITION_TYPES) | set(QUANTITY_TYPES) | {model.Field, model.Select}
    # conditions, quantities and selections are written in the expression language ...
    assert expression - FORMATTED_TYPES == set()
    # ... and everything else as tables reachable from a section of the file
    # the whole, not a part; and what a source contributes to assemble it
    assert classes - expression - _reachable() == {model.Rubric, model.Contribution}
    assert set(FORMS.values()) == set(typing.get_args(model.Scoring))


def test_a_type_without_a_file_form_is_refused() -> None:
    # what the completeness test relies on: a new field type fails loudly, not silently
    with pytest.raises(TypeError, match="no file form"):
        codec_for(complex)
    with pytest.raises(TypeError, match="no file form"):
        codec_for(int | str)


# ----------------------------------------------------------------------------- round trips
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubrics())
def test_generated_rubrics_keep_their_hash_through_a_file(rubric: Rubric) -> None:
    text = dump(rubric)
    refused: tuple[str, ...] = ()
    try:
        loaded = load(text, source="generated.toml")
    except RubricFileError as exc:
        refused = tuple(p.reason for p in exc.problems)
    # the one thing a file refuses that the model accepts: a word outside a closed
    # vocabulary (party_status == 'zz' can never hold); the strategies draw it on purpose
    assert all("; not 'zz'" in reason for reason in refused), refused
    assume(not refused)
    assert rubric_of(loaded).content_hash == rubric.content_hash
    assert dump(rubric_of(loaded)) == text


def test_defaults_are_left_out_and_numbers_stay_exact() -> None:
    rubric = Rubric.build(
        dimensions=[model.Dimension(id="d", label="维度 (d)", max=100)],
        indicators=[
            model.Indicator(
                id="d.i",
                dimension="d",
                label="i",
                max="12.50",
                scoring=model.Linear(model.Count(model.facts("member")), "0.30", unit=3),
            )
        ],
        weights=[model.Weight(dimension="d", weight="0.30")],
    )
    text = dump(rubric)
    assert "max = 12.5\n" in text
    assert "points = 0.3" in text
    assert "weight = 0.3\n" in text
    assert "order" not in text
    assert "monotone" not in text
    data = tomllib.loads(text, parse_float=Decimal)
    assert data["indicator"][0]["linear"] == {
        "quantity": "count(member)",
        "points": Decimal("0.3"),
        "unit": 3,
    }
    assert rubric_of(load(text)).content_hash == rubric.content_hash


# ----------------------------------------------------------------------------- located errors
GOOD = """\
[rubric]
format = 1

[[dimension]]
id = "d"
label = "维度 (d)"
max = 10

[[indicator]]
id = "d.i"
dimension = "d"
label = "指标 (i)"
max = 10

[indicator.bands]
quantity = "metric('rate')"
bands = [
    { at_least = 95, points = 10 },
    { at_least = 80, points = 5 },
]
"""


def problems(text: str) -> list[tuple[int, int, str, str]]:
    with pytest.raises(RubricFileError) as caught:
        load(text, source="x.toml")
    assert isinstance(caught.value, RubricError)
    assert all(p.source == "x.toml" for p in caught.value.problems)
    return [(p.line, p.column, p.path, p.reason) for p in caught.value.problems]


def test_the_good_file_loads() -> None:
    loaded = load(GOOD)
    assert [i.id for i in loaded.indicators] == ["d.i"]
    assert loaded.locations["d.i"] == (9, 1)
    assert rubric_of(loaded).indicators[0].scoring == model.Bands(
        model.metric("rate"), [model.Band.at_least(95, 10), model.Band.at_least(80, 5)]
    )


def test_invalid_toml_names_line_and_column() -> None:
    [(line, column, path, reason)] = problems(
        GOOD.replace("max = 10\n\n[[ind", "max = 10 10\n\n[[ind")
    )
    assert (line, column, path) == (7, 10, "")
    assert reason.startswith("not valid TOML:")


def test_unknown_keys_get_a_did_you_mean() -> None:
    found = problems(
        GOOD.replace('label = "指标 (i)"', 'lable = "指标 (i)"').replace(
            "[[indicator]]", "[[indicator]]\nordr = 1"
        )
    )
    by_path = {path: (line, column, reason) for line, column, path, reason in found}
    assert by_path["indicator[0].ordr"][:2] == (10, 1)
    assert (
        "unknown key 'ordr' in the Indicator table (did you mean 'order'?)"
        in by_path["indicator[0].ordr"][2]
    )
    assert by_path["indicator[0].lable"][:2] == (13, 1)
    assert "(did you mean 'label'?)" in by_path["indicator[0].lable"][2]
    assert "missing key 'label'" in by_path["indicator[0]"][2]
    [top] = problems(
        GOOD.replace("[[indicator]]", "[[indicater]]").replace(
            "[indicator.bands]", "[indicater.bands]"
        )
    )
    assert top[:3] == (9, 1, "indicater")
    assert "did you mean 'indicator'?" in top[3]


def test_wrong_types_name_the_value() -> None:
    [(line, column, path, reason)] = problems(
        GOOD.replace("max = 10\n\n[indicator", 'max = "10"\n\n[indicator')
    )
    assert (line, column, path) == (13, 1, "indicator[0].max")
    assert "expected a number, got '10' (write it without quotes)" in reason


def test_an_expression_error_points_into_the_string() -> None:
    text = GOOD.replace("metric('rate')", "metric('rate') + 1")
    [(line, column, path, reason)] = problems(text)
    assert (path, line) == ("indicator[0].bands.quantity", 16)
    assert text.splitlines()[line - 1][column - 1] == "+"
    assert "unexpected character '+'" in reason


def test_model_validators_are_reported_at_their_table() -> None:
    text = GOOD.replace("at_least = 95", "at_least = 75")
    [(line, _column, path, reason)] = problems(text)
    assert (line, path) == (15, "indicator[0].bands")
    assert "bands must be listed from the highest threshold down" in reason


def test_a_scoring_form_is_needed_exactly_once() -> None:
    [missing] = problems(GOOD.split("[indicator.bands]")[0])
    assert missing[2] == "indicator[0]"
    assert "found none" in missing[3]
    [twice] = problems(GOOD + "\n[indicator.assessor_score]\nmaximum = 3\n")
    assert "found bands, assessor_score" in twice[3]


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    text = (
        GOOD.replace("max = 10\n\n[[ind", "max = -1\n\n[[ind")
        .replace("at_least = 80", "above = 80, at_least = 81")
        .replace("metric('rate')", "metric('rate', defualt=0)")
    )
    found = problems(text)
    assert [p[2] for p in found] == [
        "dimension[0]",
        "indicator[0].bands.quantity",
        "indicator[0].bands.bands[1]",
    ]
    assert "max must be positive" in found[0][3]


def test_a_bad_reference_is_located_when_the_rubric_is_assembled(tmp_path: Path) -> None:
    path = tmp_path / "dept.toml"
    path.write_text(GOOD.replace('dimension = "d"', 'dimension = "dd"'), encoding="utf-8")
    with pytest.raises(RubricFileError) as caught:
        Engine([rubric_file(path)], entry_points=False, matcher="python")
    [problem] = caught.value.problems
    assert (problem.source, problem.line, problem.column) == (str(path), 9, 1)
    assert problem.reason == "refers to unknown dimension 'dd' (did you mean 'd'?)"
    assert caught.value.subject == "d.i"
    assert caught.value.plugin == str(path)


def test_declared_kinds_are_checked_with_their_location() -> None:
    text = (
        GOOD
        + """
[fact.visit]
label = "走访 (visit)"
fields = { family = { type = "txt" }, quarter = { type = "integer", derived = "quarter(day)" } }
"""
    )
    found = problems(text)
    assert found[0][2] == "fact.visit.fields.family.type"
    assert "did you mean 'text'?" in found[0][3]
    fixed = text.replace('"txt"', '"text"')
    [(line, _column, path, reason)] = problems(fixed)
    assert (line, path) == (22, "fact.visit")
    assert "derives from 'day'" in reason
    loaded = load(
        fixed.replace("quarter(day)", "quarter(date)").replace(
            '{ type = "text" }', '{ type = "text" }, date = { type = "date" }'
        )
    )
    [visit] = loaded.fact_types
    assert visit.fact_kind == "visit"
    assert (
        visit(
            team="T", period="p", id="v", family="f", date=__import__("datetime").date(2024, 5, 1)
        ).quarter
        == 2
    )


def test_expressions_are_typed_against_declared_kinds() -> None:
    text = (
        GOOD.replace("metric('rate')", "count(visit where rating == 'god')")
        + """
[fact.visit]
label = "走访 (visit)"
fields = { rating = { type = "text", values = ["good", "bad"] } }
"""
    )
    [(_, _, path, reason)] = problems(text)
    assert path == "indicator[0].bands.quantity"
    assert "rating is one of 'good', 'bad'; not 'god' (did you mean 'good'?)" in reason


def test_a_newer_format_is_refused() -> None:
    [(line, _, path, reason)] = problems(GOOD.replace("format = 1", "format = 2"))
    assert (line, path) == (2, "rubric.format")
    assert "format 1, not 2" in reason


# ----------------------------------------------------------------------------- positions
TRICKY = """\
# a comment with [brackets] and = signs
"quoted.key" = 1
dotted.key.here = 'lit'
a = { b = { c = [1, 2, { d = "x" }] }, e = \"\"\"multi
line \\" with \\"\"\" quotes\"\"\" }
[t]
s = '''raw ' ' quotes'''   # trailing
arr = [
  "one", # inner comment ]
  [2.5, -3],
]
[[t.list]]
x = 1979-05-27
[[t.list]]
x = 1979-05-27 07:32:00
[t.list.inner]
y = true
[[t.list]]
"""


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(data, dict):
        return [leaf for k, v in data.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return [leaf for i, v in enumerate(data) for leaf in _leaves(v, (*path, i))]
    return [(path, data)]


def _check_positions(text: str) -> None:
    data = tomllib.loads(text, parse_float=Decimal)
    index = index_positions(text)
    lines = [line + "\n" for line in text.split("\n")]  # TOML's lines: not str.splitlines
    for path, value in _leaves(data):
        if path not in index.values:  # an empty table of an array of tables
            assert value == {} or isinstance(value, dict), path
            continue
        line, column = index.values[path]
        offset = sum(len(x) for x in lines[: line - 1]) + column - 1
        scanner = _Scanner(text)
        scanner.pos = offset
        scanner.skip_value(("v",))
        snippet = text[offset : scanner.pos]
        assert tomllib.loads("v = " + snippet, parse_float=Decimal)["v"] == value, (path, snippet)
        assert path in index.keys or isinstance(path[-1], int), path


def test_positions_of_tricky_toml() -> None:
    _check_positions(TRICKY)
    index = index_positions(TRICKY)
    assert index.keys[("quoted.key",)] == (2, 1)
    assert index.keys[("dotted", "key", "here")] == (3, 1)
    assert index.values[("t", "list", 1, "x")] == (15, 5)
    assert index.keys[("t", "list", 1, "inner", "y")] == (17, 1)
    assert index.values[("a", "b", "c", 2, "d")] == (4, 30)


_KEYS = st.text(st.sampled_from("ab_-.\" '优1"), min_size=1, max_size=4)
_SCALARS = (
    st.integers(-(10**6), 10**6)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000)
    | st.text(max_size=12).filter(lambda s: "\r" not in s)
    | st.booleans()
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_KEYS, _DATA, max_size=4))
def test_positions_of_emitted_documents(data: dict[str, Any]) -> None:
    text = emit(data)
    assert tomllib.loads(text, parse_float=Decimal) == _normalised(data)
    _check_positions(text)


def _normalised(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _normalised(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_normalised(v) for v in data]
    if isinstance(data, Decimal) and data == data.to_integral_value() and "." not in str(data):
        return int(data)
    return data


# ----------------------------------------------------------------------------- the plugin
DEPARTMENT = """\
[fact.innovation_record]
label = "仪器创新 (instrument innovation)"
fields.value_yuan = { type = "number", min = 0 }
fields.status = { type = "text", values = ["in_use", "prototype"], default = "in_use" }

[[indicator]]
id = "dept.innovation"
dimension = "d"
label = "仪器创新 (instrument innovations)"
max = 5
per_item.select = "innovation_record where status == 'in_use' and value_yuan >= 100000"
"""


def test_files_combine_and_see_each_others_kinds(tmp_path: Path) -> None:
    (tmp_path / "method.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "dept.toml").write_text(DEPARTMENT, encoding="utf-8")
    plugins = rubric_files(tmp_path / "method.toml", tmp_path / "dept.toml")
    with Engine(plugins, entry_points=False, matcher="python") as engine:
        names = {info.name for info in engine.plugins}
        assert {str(tmp_path / "method.toml"), str(tmp_path / "dept.toml")} <= names
        assert engine.rubric.plugin_of("dept.innovation") == str(tmp_path / "dept.toml")
        assert engine.rubric.plugin_of("fact:innovation_record") == str(tmp_path / "dept.toml")
        assert [i.id for i in engine.rubric.indicators] == ["d.i", "dept.innovation"]


def test_two_files_registering_one_id_conflict_by_name() -> None:
    with pytest.raises(ConflictError) as caught:
        Engine(
            [rubric_text(GOOD, name="a.toml"), rubric_text(GOOD, name="b.toml")],
            entry_points=False,
            matcher="python",
        )
    assert caught.value.plugins == ("a.toml", "b.toml")


# ----------------------------------------------------------------------------- the command line
def test_the_command_line_assesses_with_the_shipped_files_alone() -> None:
    from test_rubric_files_builtin import BUILTIN, shipped

    runner = CliRunner()
    args = [a for p in BUILTIN for a in ("--rubric", str(shipped(p)))]
    with_files = runner.invoke(
        main, ["evaluate", str(EXAMPLE), "--format", "json", "--no-entry-points", *args]
    )
    installed = runner.invoke(
        main, ["evaluate", str(EXAMPLE), "--format", "json", "--block", "food_institute"]
    )
    assert with_files.exit_code == 0, with_files.output
    assert with_files.output == installed.output


def test_an_office_edits_a_band_edge_and_checks_and_assesses(tmp_path: Path) -> None:
    from test_rubric_files_builtin import shipped

    original = shipped("party_building").read_text(encoding="utf-8")
    edited = original.replace("{ at_least = 95, points = 8 }", "{ at_least = 99, points = 8 }", 1)
    assert edited != original
    path = tmp_path / "party.toml"
    path.write_text(edited, encoding="utf-8")
    runner = CliRunner()
    options = ["--rubric", str(path), "--block", "party_building", "--block", "food_institute"]
    checked = runner.invoke(main, ["check", *options])
    assert checked.exit_code == 0, checked.output
    before = runner.invoke(
        main, ["evaluate", str(EXAMPLE), "--format", "csv", "--block", "food_institute"]
    )
    after = runner.invoke(main, ["evaluate", str(EXAMPLE), "--format", "csv", *options])
    assert after.exit_code == 0, after.output
    assert after.output != before.output  # the band edge changed someone's points
    path.write_text(edited.replace("{ at_least = 99,", "{ at_leest = 99,", 1), encoding="utf-8")
    failed = runner.invoke(main, ["check", *options])
    assert failed.exit_code == 4
    assert f"{path}:" in failed.output
    assert "did you mean 'at_least'?" in failed.output


# ----------------------------------------------------------------------------- fuzzing files
def _shipped_text(plugin: str) -> str:
    from test_rubric_files_builtin import shipped

    return shipped(plugin).read_text(encoding="utf-8")


_FILE_CHARS = st.sampled_from(list("[]{}=,.\"'#\n 0123456789-abcdefghilmnoprstuvwxyz_"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["party_building", "civility", "method_1252"]), st.data())
def test_mutated_files_load_or_fail_with_located_problems(plugin: str, data: st.DataObject) -> None:
    chars = list(_shipped_text(plugin))
    for _ in range(data.draw(st.integers(1, 6))):
        where = data.draw(st.integers(0, len(chars) - 1))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            chars.insert(where, data.draw(_FILE_CHARS))
        elif action == "delete":
            del chars[where]
        else:
            chars[where] = data.draw(_FILE_CHARS)
    text = "".join(chars)
    try:
        loaded = load(text, source="mutated.toml")
    except RubricFileError as exc:
        problems = exc.problems
    else:
        problems = ()
        assert isinstance(loaded, RubricFile)
    lines = text.split("\n")
    for problem in problems:
        assert problem.source == "mutated.toml"
        assert problem.reason
        if problem.line:
            assert 1 <= problem.line <= len(lines) + 1, problem
            assert 1 <= problem.column <= len(lines[problem.line - 1]) + 2, problem


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*path, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.extend(_paths(value, (*path, i)))
    return found


_REPLACEMENTS = (
    st.integers(-3, 200)
    | st.decimals(places=2, min_value=-5, max_value=200)
    | st.booleans()
    | st.sampled_from(["", "none", "pb", "x.y", "1/3", "count(member) > 1", "member", "text"])
    | st.just([])
    | st.just({})
    | st.just([{}])
    | st.just({"per_item": {"select": "member"}})
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["party_building", "business_performance", "method_1252"]), st.data())
def test_files_with_mutated_values_load_or_fail_with_problems(
    plugin: str, data: st.DataObject
) -> None:
    document = tomllib.loads(_shipped_text(plugin), parse_float=Decimal)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(document)[1:]))
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(data.draw(_REPLACEMENTS))  # st.just shares one
    text = emit(document)
    found: tuple[Any, ...] = ()
    try:
        loaded: object = load(text, source="mutated.toml")
    except RubricFileError as exc:
        found, loaded = exc.problems, None
    assert isinstance(loaded, RubricFile) or found
    assert all(p.reason and p.line >= 1 for p in found), found


def test_long_conditions_are_written_one_item_per_line_and_located_exactly() -> None:
    text = _shipped_text("method_1252")
    assert 'when = """\nvetoed == false\nand composite >= 95\n' in text
    assert "and (\n    triggered('pb.bonus.innovation.bureau') == true\n    or " in text
    broken = text.replace("and composite >= 95\n", "and composite >= 95 +\n", 1)
    [(line, column, path, reason)] = problems(broken)
    assert path == "title[0].when"
    assert broken.split("\n")[line - 1] == "and composite >= 95 +"
    assert column == len("and composite >= 95 +")
    assert "unexpected character '+'" in reason
