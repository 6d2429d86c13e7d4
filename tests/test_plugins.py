"""Plugins and the hook contract: discovery, blocking, conflicts, failure attribution, order.

Every hook has a test named after it (``tests/test_docs_hooks.py`` checks that).
"""

from __future__ import annotations

import importlib.metadata
import itertools
import logging
import re
import sys
import types
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest

from assessment_engine import (
    Achievement,
    Activity,
    ConflictError,
    Engine,
    Incident,
    Member,
    PluginError,
    Record,
    RubricError,
    Team,
    hookimpl,
    hookspecs,
)
from assessment_engine._plugins import BLOCK_ENV, TRACE_ENV, PluginInfo
from assessment_engine.rubric import (
    Bonus,
    Composite,
    Count,
    Deduct,
    Deduction,
    Dimension,
    DimensionScore,
    GradeBand,
    GradeScale,
    Indicator,
    Part,
    Parts,
    Penalty,
    PerItem,
    Quota,
    Ranking,
    SortKey,
    Title,
    Total,
    Veto,
    Weight,
    WhenAll,
    exists,
    facts,
)

BUILTIN = "assessment_engine.builtin_facts"


def _documented_sequence() -> tuple[str, ...]:
    """The call sequence the hookspecs module's docstring promises."""
    text = (hookspecs.__doc__ or "").split("Hooks are called in this sequence", 1)[1]
    return tuple(re.findall(r"``(assessment_register_\w+)``", text))


HOOK_SEQUENCE = _documented_sequence()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (BLOCK_ENV, TRACE_ENV):
        monkeypatch.delenv(name, raising=False)


# --------------------------------------------------------------------------- helpers


def plugin(name: str, **hooks: Callable[[], Any]) -> types.ModuleType:
    """A module-like plugin whose functions are the given hooks, each marked ``@hookimpl``."""
    module = types.ModuleType(name)
    for hook, function in hooks.items():
        setattr(
            module,
            hook,
            function if hasattr(function, "assessment_engine_impl") else hookimpl(function),
        )
    return module


def engine(*plugins: object, **options: Any) -> Engine:
    options.setdefault("entry_points", False)
    return Engine(list(plugins), matcher="python", **options)


def team(team_id: str, headcount: int = 2) -> Team:
    return Team(
        team=team_id,
        period="2024",
        name=f"班组 {team_id}",
        department="食品所",
        headcount=headcount,
    )


def volunteering(team_id: str, count: int) -> list[Activity]:
    return [
        Activity(team=team_id, period="2024", id=f"v{i}", kind="volunteer", hours=2)
        for i in range(count)
    ]


def late(team_id: str, count: int) -> list[Incident]:
    return [Incident(team=team_id, period="2024", id=f"late{i}", kind="late") for i in range(count)]


PB = Dimension(id="pb", label="党建 (party building)", max=20, bonus_cap=5)
CV = Dimension(id="cv", label="精神文明 (civility)", max=10, order=1)
VOLUNTEER = Indicator(
    id="pb.volunteer",
    dimension="pb",
    label="志愿服务 (volunteering)",
    max=20,
    scoring=PerItem(facts("activity", kind="volunteer"), 4, cap=20),
)
DISCIPLINE = Indicator(
    id="cv.discipline",
    dimension="cv",
    label="纪律 (discipline)",
    max=10,
    scoring=Deduct(10, [Deduction("迟到 (late)", 2, select=facts("incident", kind="late"))]),
)


def core() -> types.ModuleType:
    """Two dimensions and one indicator in each."""
    return plugin(
        "core",
        assessment_register_dimensions=lambda: [PB, CV],
        assessment_register_indicators=lambda: [VOLUNTEER, DISCIPLINE],
    )


def info(eng: Engine, name: str) -> PluginInfo:
    found = [i for i in eng.plugins if i.name == name]
    assert len(found) == 1, eng.plugins
    return found[0]


# --------------------------------------------------------------------------- explicit plugins


class ClassPlugin:
    """A plugin that is an object: its methods are the hooks."""

    @hookimpl
    def assessment_register_dimensions(self) -> list[Dimension]:
        return [PB]

    @hookimpl
    def assessment_register_indicators(self) -> list[Indicator]:
        return [VOLUNTEER]


def test_explicit_plugins_module_object_and_named_pair() -> None:
    rules = plugin("cv_rules", assessment_register_dimensions=lambda: [CV])
    rules2 = plugin("cv_indicators", assessment_register_indicators=lambda: [DISCIPLINE])
    eng = engine(rules, ClassPlugin(), ("named", rules2))

    assert [i.name for i in eng.plugins] == sorted(
        [BUILTIN, "cv_rules", f"{__name__}.ClassPlugin", "named"]
    )
    assert info(eng, "cv_rules") == PluginInfo(
        "cv_rules", "explicit", None, None, ("assessment_register_dimensions",)
    )
    assert info(eng, f"{__name__}.ClassPlugin").hooks == (
        "assessment_register_dimensions",
        "assessment_register_indicators",
    )
    assert info(eng, "named").hooks == ("assessment_register_indicators",)
    assert info(eng, BUILTIN) == PluginInfo(
        BUILTIN, "builtin", None, None, ("assessment_register_fact_types",)
    )
    assert [d.id for d in eng.rubric.dimensions] == ["pb", "cv"]
    assert eng.rubric.plugin_of("pb") == f"{__name__}.ClassPlugin"
    assert eng.rubric.plugin_of("cv.discipline") == "named"
    assert eng.rubric.plugin_of("fact:member") == BUILTIN

    report = eng.assess([team("T1"), *volunteering("T1", 2), *late("T1", 1)])
    assert report["T1"].composite == Decimal(8 + 8)


def test_the_same_plugin_passed_twice_is_registered_once() -> None:
    rules = core()
    eng = engine(rules, rules)
    assert [i.name for i in eng.plugins] == [BUILTIN, "core"]
    assert len(eng.rubric.indicators) == 2


def test_two_different_plugins_with_one_name_are_a_plugin_error() -> None:
    with pytest.raises(PluginError, match="two plugins with one name") as caught:
        engine(("same", core()), ("same", plugin("x")))
    assert caught.value.plugin == "same"


# --------------------------------------------------------------------------- entry points


@pytest.fixture
def installed() -> set[str]:
    """Entry points installed in this environment before the test adds its own (to block)."""
    return {ep.name for ep in importlib.metadata.entry_points(group="assessment_engine")}


@pytest.fixture
def distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Path]]:
    """Make a real distribution (a ``*.dist-info`` directory and modules) importable."""
    made: list[str] = []

    def make(
        name: str, version: str, entry_points: dict[str, str], modules: dict[str, str]
    ) -> Path:
        root = tmp_path / f"site-{name}"
        root.mkdir()
        for module, source in modules.items():
            (root / f"{module}.py").write_text(source, encoding="utf-8")
            made.append(module)
        dist_info = root / f"{name.replace('-', '_')}-{version}.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = "".join(f"{ep} = {target}\n" for ep, target in entry_points.items())
        (dist_info / "entry_points.txt").write_text(
            f"[assessment_engine]\n{lines}", encoding="utf-8"
        )
        monkeypatch.syspath_prepend(str(root))
        return root

    yield make
    for module in made:
        sys.modules.pop(module, None)


ACME_SOURCE = """
from assessment_engine import hookimpl
from assessment_engine.rubric import Dimension, Indicator, PerItem, facts

CALLS = []

@hookimpl
def assessment_register_dimensions():
    CALLS.append("dimensions")
    return [Dimension(id="acme", label="ACME", max=10)]

@hookimpl
def assessment_register_indicators():
    return [
        Indicator(
            id="acme.volunteer",
            dimension="acme",
            label="Volunteering",
            max=10,
            scoring=PerItem(facts("activity", kind="volunteer"), 5, cap=10),
        )
    ]
"""


def test_entry_point_plugin_is_loaded_and_listed(
    distribution: Callable[..., Path], installed: set[str]
) -> None:
    distribution("acme-rules", "1.2.3", {"acme": "acme_rules_mod"}, {"acme_rules_mod": ACME_SOURCE})
    # importlib.metadata really finds the distribution and its entry point
    assert importlib.metadata.version("acme-rules") == "1.2.3"
    (found,) = [
        ep for ep in importlib.metadata.entry_points(group="assessment_engine") if ep.name == "acme"
    ]
    assert found.value == "acme_rules_mod"

    eng = engine(entry_points=True, block=installed)
    assert info(eng, "acme") == PluginInfo(
        name="acme",
        source="entry point",
        distribution="acme-rules",
        version="1.2.3",
        hooks=("assessment_register_dimensions", "assessment_register_indicators"),
    )
    assert sys.modules["acme_rules_mod"].CALLS == ["dimensions"]
    assert eng.rubric.plugin_of("acme.volunteer") == "acme"
    report = eng.assess([team("T1"), *volunteering("T1", 1)])
    assert report["T1"].indicator("acme.volunteer").points == 5


def test_entry_points_false_does_not_load_installed_plugins(
    distribution: Callable[..., Path], installed: set[str]
) -> None:
    distribution("acme-rules", "1.2.3", {"acme": "acme_rules_mod"}, {"acme_rules_mod": ACME_SOURCE})
    eng = engine(core(), entry_points=False)
    assert "acme" not in {i.name for i in eng.plugins}
    assert "acme_rules_mod" not in sys.modules
    assert [d.id for d in eng.rubric.dimensions] == ["pb", "cv"]


def test_module_found_as_entry_point_and_passed_explicitly_is_registered_once(
    distribution: Callable[..., Path], installed: set[str]
) -> None:
    distribution("acme-rules", "1.2.3", {"acme": "acme_rules_mod"}, {"acme_rules_mod": ACME_SOURCE})
    import acme_rules_mod  # type: ignore[import-not-found]

    eng = engine(acme_rules_mod, entry_points=True, block=installed)
    assert [i.name for i in eng.plugins] == ["acme", BUILTIN]
    assert info(eng, "acme").source == "entry point"
    assert acme_rules_mod.CALLS == ["dimensions"]


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (
            "raise RuntimeError('database is down')\n",
            "broken_mod",
            "RuntimeError: database is down",
        ),
        ("import no_such_module_xyz\n", "broken_mod", "No module named 'no_such_module_xyz'"),
        ("X = 1\n", "broken_mod:missing_attribute", "missing_attribute"),
    ],
)
def test_entry_point_that_fails_to_import_is_a_plugin_error_naming_it(
    distribution: Callable[..., Path],
    installed: set[str],
    source: str,
    target: str,
    expected: str,
) -> None:
    distribution("broken-rules", "0.1", {"broken": target}, {"broken_mod": source})
    with pytest.raises(PluginError) as caught:
        engine(entry_points=True, block=installed)
    assert caught.value.plugin == "broken"
    message = str(caught.value)
    assert "'broken'" in message
    assert repr(target) in message
    assert expected in message


@pytest.mark.parametrize("how", ["keyword", "environment"])
def test_blocked_entry_point_is_never_imported(
    distribution: Callable[..., Path],
    installed: set[str],
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    distribution(
        "broken-rules", "0.1", {"broken": "broken_mod"}, {"broken_mod": "raise RuntimeError\n"}
    )
    if how == "keyword":
        eng = engine(core(), entry_points=True, block={*installed, "broken"})
    else:
        monkeypatch.setenv(BLOCK_ENV, " broken , " + ",".join(sorted(installed)))
        eng = engine(core(), entry_points=True)
    assert "broken" not in {i.name for i in eng.plugins}
    assert "broken_mod" not in sys.modules


# --------------------------------------------------------------------------- blocking


@pytest.mark.parametrize("how", ["keyword", "environment"])
def test_block_explicit_plugin_by_name(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    extra = plugin(
        "extra",
        assessment_register_indicators=lambda: [
            Indicator(
                id="pb.extra",
                dimension="pb",
                label="extra",
                max=1,
                scoring=PerItem(facts("member"), 1),
            )
        ],
    )
    assert "pb.extra" in {i.id for i in engine(core(), extra).rubric.indicators}
    if how == "keyword":
        eng = engine(core(), extra, block=["extra"])
    else:
        monkeypatch.setenv(BLOCK_ENV, "something-else,extra")
        eng = engine(core(), extra)
    assert [i.name for i in eng.plugins] == [BUILTIN, "core"]
    assert "pb.extra" not in {i.id for i in eng.rubric.indicators}


@pytest.mark.parametrize("how", ["keyword", "environment"])
def test_blocking_the_builtin_fact_types_plugin(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    @attrs.frozen(kw_only=True)
    class Shift(Record):
        fact_kind: ClassVar[str] = "shift"
        hours: Decimal = attrs.field(converter=Decimal)

    own = plugin(
        "own_facts",
        assessment_register_fact_types=lambda: [Team, Shift],
        assessment_register_dimensions=lambda: [PB],
        assessment_register_indicators=lambda: [
            Indicator(
                id="pb.shifts",
                dimension="pb",
                label="值班",
                max=5,
                scoring=PerItem(facts("shift"), 1),
            )
        ],
    )
    if how == "keyword":
        eng = engine(own, block=[BUILTIN])
    else:
        monkeypatch.setenv(BLOCK_ENV, BUILTIN)
        eng = engine(own)
    assert [i.name for i in eng.plugins] == ["own_facts"]
    assert dict(eng.rubric.fact_types) == {"shift": Shift, "team": Team}
    report = eng.assess([team("T1"), Shift(team="T1", period="2024", id="s1", hours=8)])
    assert report["T1"].composite == 1

    # without the built-in kinds, a rubric that selects members no longer resolves
    with pytest.raises(RubricError, match=r"unknown fact kind 'member'.*known kinds: shift, team"):
        engine(
            own,
            plugin(
                "needs_members",
                assessment_register_indicators=lambda: [
                    Indicator(
                        id="pb.members",
                        dimension="pb",
                        label="成员",
                        max=5,
                        scoring=PerItem(facts("member"), 1),
                    )
                ],
            ),
            block=[BUILTIN],
        )


# --------------------------------------------------------------------------- conflicts


@attrs.frozen(kw_only=True)
class Shift(Record):
    fact_kind: ClassVar[str] = "shift"
    hours: Decimal = attrs.field(default=Decimal(0), converter=Decimal)


@attrs.frozen(kw_only=True)
class OtherShift(Record):
    fact_kind: ClassVar[str] = "shift"


def _veto(veto_id: str) -> Veto:
    return Veto(id=veto_id, label="否决", when=exists(facts("incident", kind="accident")))


def _scale(scale_id: str, of: str | None) -> GradeScale:
    return GradeScale(
        id=scale_id,
        label="等级",
        of=of,
        bands=[GradeBand(label="A", at_least=10), GradeBand(label="B")],
    )


# (hook, what each of the two plugins returns, the contested id)
CONFLICTS: dict[str, tuple[str, list[Any], list[Any], str]] = {
    "indicator": (
        "assessment_register_indicators",
        [VOLUNTEER],
        [attrs.evolve(VOLUNTEER, max=5)],
        "pb.volunteer",
    ),
    "dimension": (
        "assessment_register_dimensions",
        [Dimension(id="pb", label="x", max=1)],
        [Dimension(id="pb", label="y", max=2)],
        "pb",
    ),
    "identical dimension": (
        "assessment_register_dimensions",
        [Dimension(id="pb", label="x", max=1)],
        [Dimension(id="pb", label="x", max=1)],
        "pb",
    ),
    "rule": ("assessment_register_rules", [_veto("v")], [_veto("v")], "v"),
    "bonus and penalty": (
        "assessment_register_rules",
        [
            Bonus(
                id="adj",
                dimension="pb",
                label="加",
                scoring=WhenAll(1, [Count(facts("member")).at_least(1)]),
            )
        ],
        [
            Penalty(
                id="adj",
                dimension="pb",
                label="减",
                scoring=WhenAll(1, [Count(facts("member")).at_least(1)]),
            )
        ],
        "adj",
    ),
    "fact kind": ("assessment_register_fact_types", [Shift], [OtherShift], "shift"),
    "the same fact class": ("assessment_register_fact_types", [Shift], [Shift], "shift"),
    "weight of one dimension": (
        "assessment_register_weights",
        [Weight(dimension="pb", weight=1)],
        [Weight(dimension="pb", weight=2)],
        "pb",
    ),
    "ranking": ("assessment_register_ranking", [Ranking()], [Ranking(vetoed="last")], "ranking"),
    "grade scale of one dimension": (
        "assessment_register_grade_scales",
        [_scale("s1", "pb")],
        [_scale("s2", "pb")],
        "pb",
    ),
    "composite grade scale": (
        "assessment_register_grade_scales",
        [_scale("s1", None)],
        [_scale("s2", None)],
        "(composite)",
    ),
}


@pytest.mark.parametrize("case", sorted(CONFLICTS))
def test_two_plugins_registering_one_id_conflict_naming_both(case: str) -> None:
    hook, first, second, contested = CONFLICTS[case]
    messages = set()
    for order in ("alpha first", "beta first"):
        alpha = plugin("alpha", **{hook: lambda: first})
        beta = plugin("beta", **{hook: lambda: second})
        pair = [alpha, beta] if order == "alpha first" else [beta, alpha]
        base = (
            plugin("base", assessment_register_dimensions=lambda: [PB])
            if hook != "assessment_register_dimensions"
            else plugin("base")
        )
        with pytest.raises(ConflictError) as caught:
            engine(base, *pair)
        error = caught.value
        assert isinstance(error, PluginError)
        assert error.plugins == ("alpha", "beta")
        assert error.object_id == contested
        assert error.hook == hook
        assert "plugin 'alpha' and plugin 'beta'" in str(error)
        assert repr(contested) in str(error)
        messages.add(str(error))
    assert len(messages) == 1, messages  # registration order does not change the error either


def test_one_id_as_two_kinds_of_object_conflicts() -> None:
    alpha = plugin("alpha", assessment_register_dimensions=lambda: [PB])
    beta = plugin("beta", assessment_register_indicators=lambda: [attrs.evolve(VOLUNTEER, id="pb")])
    with pytest.raises(ConflictError, match="dimension/indicator 'pb'") as caught:
        engine(alpha, beta)
    assert caught.value.plugins == ("alpha", "beta")


def test_part_ids_share_the_id_namespace() -> None:
    with_parts = attrs.evolve(
        VOLUNTEER,
        scoring=Parts([Part(id="pb.part", label="部分", scoring=PerItem(facts("activity"), 1))]),
    )
    alpha = plugin(
        "alpha",
        assessment_register_dimensions=lambda: [PB],
        assessment_register_indicators=lambda: [with_parts],
    )
    beta = plugin("beta", assessment_register_rules=lambda: [_veto("pb.part")])
    with pytest.raises(ConflictError) as caught:
        engine(alpha, beta)
    assert caught.value.object_id == "pb.part"
    assert caught.value.plugins == ("alpha", "beta")


SAME_PLUGIN_TWICE: dict[str, tuple[str, list[Any]]] = {
    "indicator": ("assessment_register_indicators", [VOLUNTEER, attrs.evolve(VOLUNTEER, max=5)]),
    "dimension": ("assessment_register_dimensions", [PB, PB]),
    "rule": ("assessment_register_rules", [_veto("v"), _veto("v")]),
    "fact kind": ("assessment_register_fact_types", [Shift, OtherShift]),
    "fact class": ("assessment_register_fact_types", [Shift, Shift]),
    "weight": (
        "assessment_register_weights",
        [Weight(dimension="pb", weight=1), Weight(dimension="pb", weight=1)],
    ),
    "ranking": ("assessment_register_ranking", [Ranking(), Ranking()]),
}


@pytest.mark.parametrize("case", sorted(SAME_PLUGIN_TWICE))
def test_one_plugin_registering_an_id_twice_is_a_plugin_error(case: str) -> None:
    hook, objects = SAME_PLUGIN_TWICE[case]
    hooks = {"assessment_register_dimensions": lambda: [PB], hook: lambda: objects}
    twice = plugin("twice", **hooks)
    with pytest.raises(PluginError, match=r"twice|two rankings") as caught:
        engine(twice)
    assert type(caught.value) is PluginError
    assert caught.value.plugin == "twice"
    assert caught.value.hook == hook


def test_one_plugin_with_two_scales_for_one_dimension_is_a_rubric_error() -> None:
    scales = plugin(
        "scales",
        assessment_register_dimensions=lambda: [PB],
        assessment_register_grade_scales=lambda: [_scale("s1", "pb"), _scale("s2", "pb")],
    )
    with pytest.raises(RubricError, match="dimension 'pb' already has grade scale 's1'") as caught:
        engine(scales)
    assert caught.value.subject == "s2"


# --------------------------------------------------------------------------- hook failures


def test_hook_that_raises_is_a_plugin_error_and_no_engine_is_built() -> None:
    calls: list[str] = []

    def dims() -> list[Dimension]:
        calls.append("dimensions")
        return [PB]

    def boom() -> list[Indicator]:
        calls.append("indicators")
        raise KeyError("department")

    def ranking() -> list[Ranking]:
        calls.append("ranking")
        return []

    faulty = plugin(
        "faulty",
        assessment_register_dimensions=dims,
        assessment_register_indicators=boom,
        assessment_register_ranking=ranking,
    )
    built: list[Engine] = []
    with pytest.raises(PluginError) as caught:
        built.append(engine(core_without_pb(), faulty))
    error = caught.value
    assert error.plugin == "faulty"
    assert error.hook == "assessment_register_indicators"
    assert "plugin 'faulty' in hook assessment_register_indicators" in str(error)
    assert "raised KeyError: 'department'" in str(error)
    assert isinstance(error.__cause__, KeyError)
    # the build stopped at the failing hook: later hooks were never called
    assert calls == ["dimensions", "indicators"]
    assert built == []


def core_without_pb() -> types.ModuleType:
    return plugin("other", assessment_register_dimensions=lambda: [CV])


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        ({"pb": PB}, "returned dict, expected a list"),
        (PB, "returned Dimension, expected a list"),
        ("pb", "returned str, expected a list"),
        (iter([PB]), "expected a list"),
        ({PB}, "returned set, expected a list"),
    ],
    ids=["dict", "single object", "str", "iterator", "set"],
)
def test_hook_returning_a_non_list_is_a_plugin_error(returned: object, expected: str) -> None:
    bad = plugin("bad", assessment_register_dimensions=lambda: returned)
    with pytest.raises(PluginError, match=expected) as caught:
        engine(bad)
    assert caught.value.plugin == "bad"
    assert caught.value.hook == "assessment_register_dimensions"


@attrs.frozen(kw_only=True)
class MyDimension(Dimension):
    pass


@pytest.mark.parametrize(
    ("hook", "returned", "expected"),
    [
        (
            "assessment_register_rules",
            VOLUNTEER,
            "this hook takes Bonus, Penalty, Veto, Title, Quota objects",
        ),
        ("assessment_register_indicators", PB, "this hook takes Indicator objects"),
        ("assessment_register_dimensions", None, "returned None; this hook takes Dimension"),
        ("assessment_register_dimensions", MyDimension(id="pb", label="x", max=1), "MyDimension"),
        ("assessment_register_weights", ("pb", 1), "this hook takes Weight objects"),
        ("assessment_register_ranking", SortKey(quantity=Composite()), "this hook takes Ranking"),
        ("assessment_register_fact_types", Member(team="T", period="p", id="m"), "must be a class"),
    ],
    ids=[
        "indicator as rule",
        "dimension as indicator",
        "None item",
        "subclass",
        "tuple",
        "sort key",
        "fact instance",
    ],
)
def test_hook_returning_a_wrong_object_type_is_a_plugin_error(
    hook: str, returned: object, expected: str
) -> None:
    bad = plugin("bad", **{hook: lambda: [returned]})
    with pytest.raises(PluginError, match=expected) as caught:
        engine(core(), bad)
    assert caught.value.plugin == "bad"
    assert caught.value.hook == hook
    assert str(caught.value).startswith(f"plugin 'bad' in hook {hook}: ")


def test_hooks_may_return_none_or_a_tuple() -> None:
    eng = engine(
        plugin("nothing", assessment_register_rules=lambda: None),
        plugin(
            "tuple",
            assessment_register_dimensions=lambda: (PB, CV),
            assessment_register_indicators=lambda: (),
        ),
    )
    assert [d.id for d in eng.rubric.dimensions] == ["pb", "cv"]
    assert eng.rubric.indicators == ()


def test_implementation_of_a_hook_that_does_not_exist_is_a_plugin_error() -> None:
    misspelt = plugin("misspelt", assessment_register_indicatorz=lambda: [VOLUNTEER])
    with pytest.raises(PluginError) as caught:
        engine(core(), misspelt)
    assert caught.value.plugin == "misspelt"
    message = str(caught.value)
    assert "'assessment_register_indicatorz', which is not a hook" in message
    assert "did you mean 'assessment_register_indicators'?" in message


def test_hook_function_without_hookimpl_is_a_plugin_error() -> None:
    forgot = types.ModuleType("forgot")
    forgot.assessment_register_dimensions = lambda: [PB]  # type: ignore[attr-defined]
    with pytest.raises(PluginError, match="without the @hookimpl decorator") as caught:
        engine(forgot)
    assert caught.value.plugin == "forgot"
    assert caught.value.hook == "assessment_register_dimensions"


def test_hook_wrapper_is_a_plugin_error() -> None:
    class Wrapper:
        @hookimpl(wrapper=True)
        def assessment_register_dimensions(self) -> Iterator[None]:
            return (yield)

    with pytest.raises(PluginError, match="as a wrapper") as caught:
        engine(core(), ("wrapper", Wrapper()))
    assert caught.value.plugin == "wrapper"
    assert caught.value.hook == "assessment_register_dimensions"


def test_hook_implementation_with_an_argument_is_a_plugin_error() -> None:
    class Greedy:
        @hookimpl
        def assessment_register_dimensions(self, engine: object) -> list[Dimension]:
            return [PB]

    with pytest.raises(PluginError, match="engine") as caught:
        engine(("greedy", Greedy()))
    assert caught.value.plugin == "greedy"


# --------------------------------------------------------------------------- rubric references


def test_indicator_in_an_unknown_dimension_is_a_rubric_error_naming_it() -> None:
    typo = plugin(
        "typo",
        assessment_register_indicators=lambda: [
            attrs.evolve(VOLUNTEER, id="pb.typo", dimension="pbb")
        ],
    )
    with pytest.raises(RubricError) as caught:
        engine(core(), typo)
    assert (caught.value.subject, caught.value.plugin) == ("pb.typo", "typo")
    assert str(caught.value) == (
        "pb.typo (from plugin 'typo'): refers to unknown dimension 'pbb' (did you mean 'pb'?)"
    )


def test_unknown_fact_field_is_a_rubric_error_with_did_you_mean() -> None:
    typo = plugin(
        "typo",
        assessment_register_rules=lambda: [
            Veto(id="cv.accident", label="事故", when=exists(facts("incident", severty="serious")))
        ],
    )
    with pytest.raises(RubricError) as caught:
        engine(core(), typo)
    assert (caught.value.subject, caught.value.plugin) == ("cv.accident", "typo")
    assert "fact kind 'incident' has no field 'severty' (did you mean 'severity'?)" in str(
        caught.value
    )


def test_unknown_field_of_a_plugin_fact_kind_is_a_rubric_error() -> None:
    shifts = plugin(
        "shifts",
        assessment_register_fact_types=lambda: [Shift],
        assessment_register_indicators=lambda: [
            Indicator(
                id="pb.shift",
                dimension="pb",
                label="值班",
                max=5,
                scoring=PerItem(facts("shift", hour=8), 1),
            )
        ],
    )
    with pytest.raises(
        RubricError, match=r"'shift' has no field 'hour' \(did you mean 'hours'\?\)"
    ) as caught:
        engine(core(), shifts)
    assert (caught.value.subject, caught.value.plugin) == ("pb.shift", "shifts")


# --------------------------------------------------------------------------- order independence


def _order_plugins() -> list[types.ModuleType]:
    """Four plugins, every kind of object spread over several of them (so merging must sort)."""
    parts = Parts(
        [
            Part(id="pb.parts.shifts", label="值班", scoring=PerItem(facts("shift"), 1), cap=3),
            Part(id="pb.parts.members", label="成员", scoring=PerItem(facts("member"), 1), cap=3),
        ]
    )
    return [
        plugin(
            "p_one",
            assessment_register_fact_types=lambda: [Shift],
            assessment_register_dimensions=lambda: [PB],
            assessment_register_indicators=lambda: [DISCIPLINE],
            assessment_register_rules=lambda: [
                Title(id="red", label="红旗", when=Composite().at_least(5), quotas=("q",)),
                Veto(
                    id="cv.accident",
                    label="事故",
                    dimension="cv",
                    when=exists(facts("incident", kind="accident")),
                ),
            ],
            assessment_register_weights=lambda: [Weight(dimension="cv", weight="0.4")],
            assessment_register_grade_scales=lambda: [_scale("overall", None)],
        ),
        plugin(
            "p_two",
            assessment_register_fact_types=lambda: [Training],
            assessment_register_dimensions=lambda: [CV],
            assessment_register_indicators=lambda: [
                Indicator(id="pb.parts", dimension="pb", label="组成", max=6, scoring=parts),
                Indicator(
                    id="cv.training",
                    dimension="cv",
                    label="培训",
                    max=4,
                    scoring=PerItem(facts("training"), 2, cap=4),
                ),
            ],
            assessment_register_rules=lambda: [
                Quota(id="q", label="一半", share="0.5"),
                Title(
                    id="gold", label="金牌", when=Composite().at_least(9), quotas=("q",), order=-1
                ),
            ],
            assessment_register_weights=lambda: [Weight(dimension="pb", weight="0.6")],
        ),
        plugin(
            "p_three",
            assessment_register_indicators=lambda: [VOLUNTEER],
            assessment_register_rules=lambda: [
                Bonus(
                    id="pb.bonus",
                    dimension="pb",
                    label="加分",
                    scoring=WhenAll(2, [Count(facts("member")).at_least(2)]),
                ),
                Penalty(
                    id="cv.penalty",
                    dimension="cv",
                    label="扣分",
                    scoring=WhenAll(1, [Count(facts("incident")).at_least(3)]),
                ),
            ],
            assessment_register_grade_scales=lambda: [_scale("pb.grade", "pb")],
        ),
        plugin(
            "p_four",
            assessment_register_dimensions=lambda: [
                Dimension(id="aa", label="其他 (other)", max=5, order=1)
            ],
            assessment_register_indicators=lambda: [
                Indicator(
                    id="aa.members",
                    dimension="aa",
                    label="成员",
                    max=5,
                    scoring=PerItem(facts("member"), 1, cap=5),
                )
            ],
            assessment_register_rules=lambda: [
                Penalty(
                    id="aa.late",
                    dimension="aa",
                    label="迟到",
                    scoring=WhenAll(1, [Count(facts("incident", kind="late")).at_least(1)]),
                ),
                Veto(id="aa.fraud", label="造假", when=exists(facts("incident", kind="fraud"))),
            ],
            assessment_register_weights=lambda: [Weight(dimension="aa", weight="0.5")],
            assessment_register_ranking=lambda: [
                Ranking(
                    keys=(SortKey(quantity=Composite()), SortKey(quantity=DimensionScore("cv"))),
                    vetoed="last",
                )
            ],
        ),
    ]


def _order_facts() -> list[Any]:
    return [
        team("T1"),
        team("T2", headcount=3),
        team("T3"),
        team("T4"),
        *volunteering("T1", 2),
        *volunteering("T2", 2),
        *late("T2", 3),
        Member(team="T2", period="2024", id="m1"),
        Member(team="T2", period="2024", id="m2"),
        Shift(team="T1", period="2024", id="s1", hours=3),
        Training(team="T1", period="2024", id="t1", topic="safety", hours=2),
        Incident(team="T3", period="2024", id="acc", kind="accident"),
        *volunteering("T4", 5),
        Training(team="T4", period="2024", id="t1", topic="safety", hours=2),
        Training(team="T4", period="2024", id="t2", topic="safety", hours=2),
    ]


def test_registration_order_never_changes_the_rubric_or_the_report() -> None:
    results = set()
    provenances = set()
    for permutation in itertools.permutations(_order_plugins()):
        eng = engine(*permutation)
        report = eng.assess(_order_facts())
        results.add((eng.rubric.content_hash, report.to_json()))
        provenances.add(tuple(eng.rubric.provenance.items()))
    assert len(results) == 1
    assert len(provenances) == 1
    ((content_hash, report_json),) = results
    assert content_hash in report_json
    # and it is a real report: objects of every plugin took part
    eng = engine(*_order_plugins())
    assert [d.id for d in eng.rubric.dimensions] == ["pb", "aa", "cv"]
    assert [i.id for i in eng.rubric.indicators] == [
        "pb.parts",
        "pb.volunteer",
        "aa.members",
        "cv.discipline",
        "cv.training",
    ]
    report = eng.assess(_order_facts())
    assert [(a.team, a.rank, str(a.composite)) for a in report] == [
        ("T4", 1, "17.6"),
        ("T1", 2, "10.2"),
        ("T2", 3, "8.9"),
        ("T3", 4, "4"),  # vetoed: ranked last (numbers in their plain form)
    ]
    assert [[t.id for t in a.titles] for a in report] == [["gold"], ["gold"], [], []]


def test_tryfirst_and_trylast_never_change_the_rubric() -> None:
    plain = engine(*_order_plugins())
    marked = _order_plugins()
    for hook in ("indicators", "rules", "grade_scales"):
        getattr(marked[2], f"assessment_register_{hook}").assessment_engine_impl["tryfirst"] = True
    for hook in ("dimensions", "fact_types"):
        getattr(marked[1], f"assessment_register_{hook}").assessment_engine_impl["trylast"] = True
    eng = engine(*marked)
    assert eng.rubric.content_hash == plain.rubric.content_hash
    assert eng.assess(_order_facts()).to_json() == plain.assess(_order_facts()).to_json()


# --------------------------------------------------------------------------- call order and tracing


def _recorder(name: str, calls: list[tuple[str, str]], **options: bool) -> types.ModuleType:
    def record(hook: str) -> Callable[[], list[Any]]:
        def function() -> list[Any]:
            calls.append((hook, name))
            return []

        return hookimpl(**options)(function) if options else hookimpl(function)

    return plugin(name, **{hook: record(hook) for hook in HOOK_SEQUENCE})


def test_documented_sequence_names_every_hook_once() -> None:
    specs = [
        name
        for name, value in vars(hookspecs).items()
        if callable(value) and hasattr(value, "assessment_engine_spec")
    ]
    assert sorted(HOOK_SEQUENCE) == sorted(specs)
    assert len(specs) == 7


def test_hooks_are_called_in_the_documented_sequence_lifo_within_a_hook() -> None:
    calls: list[tuple[str, str]] = []
    engine(_recorder("a", calls), _recorder("b", calls), _recorder("c", calls))
    expected = [(hook, name) for hook in HOOK_SEQUENCE for name in ("c", "b", "a")]
    assert calls == expected


def test_tryfirst_and_trylast_are_honoured() -> None:
    calls: list[tuple[str, str]] = []
    engine(
        _recorder("a", calls, tryfirst=True),
        _recorder("b", calls),
        _recorder("c", calls, trylast=True),
        _recorder("d", calls),
    )
    assert [n for h, n in calls if h == "assessment_register_dimensions"] == ["a", "d", "b", "c"]


def test_trace_env_var_logs_every_hook_call(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="assessment_engine.plugins")
    engine(core())
    assert [r for r in caplog.records if r.name == "assessment_engine.plugins"] == []

    monkeypatch.setenv(TRACE_ENV, "1")
    engine(core())
    records = [r for r in caplog.records if r.name == "assessment_engine.plugins"]
    messages = [r.getMessage() for r in records]
    assert all(r.levelno == logging.INFO for r in records)
    assert len(messages) == 3
    assert messages[0].startswith(
        f"assessment_register_fact_types of plugin {BUILTIN!r} returned ["
    )
    assert messages[1] == f"assessment_register_dimensions of plugin 'core' returned {[PB, CV]!r}"
    assert messages[2].startswith(
        "assessment_register_indicators of plugin 'core' returned [Indicator(id='pb.volunteer'"
    )


def test_trace_env_var_logs_a_hook_that_raises(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="assessment_engine.plugins")
    monkeypatch.setenv(TRACE_ENV, "1")

    def boom() -> list[Dimension]:
        raise ValueError("no data")

    with pytest.raises(PluginError):
        engine(plugin("faulty", assessment_register_dimensions=boom))
    assert caplog.records[-1].getMessage() == (
        "assessment_register_dimensions of plugin 'faulty' raised ValueError('no data')"
    )


# --------------------------------------------------------------------------- one test per hook


@attrs.frozen(kw_only=True)
class Training(Record):
    """A plugin's own fact kind."""

    fact_kind: ClassVar[str] = "training"
    fact_label: ClassVar[str] = "培训 (training)"

    topic: str = attrs.field(validator=attrs.validators.instance_of(str))
    hours: Decimal = attrs.field(converter=Decimal)
    certified: bool = False


def test_assessment_register_fact_types_kind_is_selected_and_assessed() -> None:
    training = plugin(
        "training",
        assessment_register_fact_types=lambda: [Training],
        assessment_register_indicators=lambda: [
            Indicator(
                id="pb.training",
                dimension="pb",
                label="培训 (training)",
                max=10,
                scoring=PerItem(facts("training", topic="safety", certified=True), 3, cap=10),
            ),
            Indicator(
                id="pb.training_hours",
                dimension="pb",
                label="学时 (hours)",
                max=5,
                scoring=WhenAll(5, [Total(facts("training"), "hours").at_least(10)]),
            ),
        ],
    )
    eng = engine(core(), training)
    assert eng.rubric.fact_types["training"] is Training
    assert eng.rubric.plugin_of("fact:training") == "training"
    records = [
        team("T1"),
        Training(team="T1", period="2024", id="t1", topic="safety", hours=4, certified=True),
        Training(team="T1", period="2024", id="t2", topic="safety", hours=4, certified=True),
        Training(team="T1", period="2024", id="t3", topic="safety", hours="2.5"),
        Training(team="T1", period="2024", id="t4", topic="first aid", hours=1, certified=True),
        team("T2"),
        Training(team="T2", period="2024", id="t1", topic="safety", hours=2, certified=True),
    ]
    report = eng.assess(records)
    t1, t2 = report["T1"], report["T2"]
    assert t1.indicator("pb.training").points == 6
    assert {f.id for line in t1.indicator("pb.training").lines for f in line.facts} == {"t1", "t2"}
    assert t1.indicator("pb.training_hours").points == 5  # 4 + 4 + 2.5 + 1 = 11.5 ≥ 10
    assert t2.indicator("pb.training").points == 3
    assert t2.indicator("pb.training_hours").points == 0


def _not_attrs() -> type:
    class Plain(Record):
        fact_kind = "plain"
        hours: int = 0

    return Plain


def _not_frozen() -> type:
    @attrs.frozen(kw_only=True)
    class Thawed(Record):
        fact_kind: ClassVar[str] = "thawed"

    Thawed.__setattr__ = object.__setattr__  # type: ignore[assignment,method-assign]
    return Thawed


def _no_own_kind() -> type:
    @attrs.frozen(kw_only=True)
    class MyActivity(Activity):
        extra: int = 0

    return MyActivity


def _kind_as_instance_field() -> type:
    @attrs.frozen(kw_only=True)
    class Clash(Record):
        fact_kind: str = "clash"

    return Clash


def _label_as_instance_field() -> type:
    @attrs.frozen(kw_only=True)
    class Clash(Record):
        fact_kind: ClassVar[str] = "clash"
        fact_label: str = "clash"

    return Clash


def _redefines_id() -> type:
    @attrs.frozen(kw_only=True)
    class Renumbered(Record):
        fact_kind: ClassVar[str] = "renumbered"
        id: int = 0  # type: ignore[assignment]

    return Renumbered


def _bad_kind_name() -> type:
    @attrs.frozen(kw_only=True)
    class Shouting(Record):
        fact_kind: ClassVar[str] = "Shouting Kind"

    return Shouting


def _unresolvable_annotation() -> type:
    class Local:
        pass

    @attrs.frozen(kw_only=True)
    class Odd(Record):
        fact_kind: ClassVar[str] = "odd"
        thing: Local | None = None

    return Odd


def _not_a_record() -> type:
    @attrs.frozen
    class Loose:
        fact_kind: ClassVar[str] = "loose"

    return Loose


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_not_attrs, "must be an attrs class itself"),
        (_not_frozen, "must be frozen"),
        (_no_own_kind, "must set its own class attribute fact_kind"),
        (_kind_as_instance_field, "declares fact_kind as an instance field"),
        (_label_as_instance_field, "declares fact_label as an instance field"),
        (_redefines_id, "redefines the field 'id' of Record"),
        (_bad_kind_name, "lower-case identifier, got 'Shouting Kind'"),
        (_not_a_record, "must be a class derived from Record"),
        (_unresolvable_annotation, "annotations of .*Odd do not resolve .*'Local'"),
    ],
    ids=[
        "not attrs",
        "not frozen",
        "no own fact_kind",
        "fact_kind field",
        "fact_label field",
        "redefined base field",
        "bad kind name",
        "not a Record",
        "unresolvable annotation",
    ],
)
def test_assessment_register_fact_types_rejects_invalid_fact_types(
    make: Callable[[], type], expected: str
) -> None:
    bad = plugin("bad_facts", assessment_register_fact_types=lambda: [make()])
    with pytest.raises(PluginError, match=expected) as caught:
        engine(core(), bad)
    assert type(caught.value) is PluginError
    assert caught.value.plugin == "bad_facts"
    assert caught.value.hook == "assessment_register_fact_types"


def test_assessment_register_dimensions_sorted_by_order_then_id() -> None:
    dims = plugin(
        "dims",
        assessment_register_dimensions=lambda: [
            Dimension(id="zz", label="Z", max=5),
            Dimension(id="late", label="L", max=5, order=-1),
            Dimension(id="aa", label="A", max=5),
        ],
    )
    eng = engine(dims, core())
    assert [d.id for d in eng.rubric.dimensions] == ["late", "aa", "pb", "zz", "cv"]
    report = eng.assess([team("T1"), *volunteering("T1", 1)])
    assert [d.id for d in report["T1"].dimensions] == ["late", "aa", "pb", "zz", "cv"]
    assert report["T1"].dimension("zz").score == 0


def test_assessment_register_indicators_adds_to_another_plugins_dimension() -> None:
    department = plugin(
        "department",
        assessment_register_indicators=lambda: [
            Indicator(
                id="pb.members",
                dimension="pb",
                label="党员 (party members)",
                max=4,
                scoring=PerItem(facts("member", party_status="member"), 2, cap=4),
            )
        ],
    )
    eng = engine(core(), department)
    assert [i.id for i in eng.rubric.indicators] == ["pb.members", "pb.volunteer", "cv.discipline"]
    assert eng.rubric.plugin_of("pb.members") == "department"
    assert eng.rubric.plugin_of("pb.volunteer") == "core"
    report = eng.assess(
        [
            team("T1"),
            *volunteering("T1", 1),
            *(
                Member(team="T1", period="2024", id=f"m{i}", party_status="member")
                for i in range(3)
            ),
        ]
    )
    assert report["T1"].indicator("pb.members").points == 4
    assert report["T1"].dimension("pb").score == 4 + 4


def test_assessment_register_rules_mixes_every_rule_kind() -> None:
    rules = plugin(
        "rules",
        assessment_register_rules=lambda: [
            Quota(id="q", label="配额", share="0.5"),
            Title(id="red", label="红旗 (red flag)", when=Composite().at_least(10), quotas=("q",)),
            Veto(
                id="cv.accident",
                label="事故 (accident)",
                dimension="cv",
                when=exists(facts("incident", kind="accident")),
            ),
            Penalty(
                id="cv.late",
                dimension="cv",
                label="迟到 (late)",
                scoring=WhenAll(3, [Count(facts("incident", kind="late")).at_least(2)]),
            ),
            Bonus(
                id="pb.award",
                dimension="pb",
                label="表彰 (award)",
                scoring=WhenAll(9, [Count(facts("achievement")).at_least(1)]),
            ),
        ],
    )
    eng = engine(core(), rules)
    r = eng.rubric
    assert ([b.id for b in r.bonuses], [p.id for p in r.penalties], [v.id for v in r.vetoes]) == (
        ["pb.award"],
        ["cv.late"],
        ["cv.accident"],
    )
    assert ([t.id for t in r.titles], [q.id for q in r.quotas]) == (["red"], ["q"])
    report = eng.assess(
        [
            team("T1"),
            *volunteering("T1", 1),
            *late("T1", 2),
            Achievement(team="T1", period="2024", id="a1", kind="award"),
            team("T2"),
            Incident(team="T2", period="2024", id="x", kind="accident"),
        ]
    )
    t1, t2 = report["T1"], report["T2"]
    assert t1.dimension("pb").score == 4 + 5  # the bonus of 9 is capped at the dimension's 5
    assert t1.dimension("cv").score == 10 - 2 * 2 - 3
    assert t1.composite == 12
    assert [t.id for t in t1.titles] == ["red"]  # 12 ≥ 10, and the quota allows one of two
    assert [v.id for v in t2.vetoes] == ["cv.accident"]
    assert (t2.rank, t2.titles) == (None, ())


def test_assessment_register_grade_scales_grades_dimension_and_composite() -> None:
    scales = plugin(
        "scales",
        assessment_register_grade_scales=lambda: [
            GradeScale(
                id="overall",
                label="综合",
                bands=[
                    GradeBand(label="优", at_least=20),
                    GradeBand(label="良", at_least=10),
                    GradeBand(label="差"),
                ],
            ),
            GradeScale(
                id="pb.grade",
                label="党建",
                of="pb",
                bands=[GradeBand(label="A", at_least=8), GradeBand(label="B")],
            ),
        ],
    )
    eng = engine(core(), scales)
    report = eng.assess([team("T1"), *volunteering("T1", 3), team("T2"), *late("T2", 5)])
    t1, t2 = report["T1"], report["T2"]
    assert (t1.composite, t1.grade.label, t1.dimension("pb").grade.label) == (
        Decimal(22),
        "优",
        "A",
    )
    assert (t2.composite, t2.grade.label, t2.dimension("pb").grade.label) == (Decimal(0), "差", "B")
    assert t1.dimension("cv").grade is None


def test_assessment_register_weights_weight_the_composite() -> None:
    weights = plugin(
        "weights",
        assessment_register_weights=lambda: [
            Weight(dimension="pb", weight="0.7"),
            Weight(dimension="cv", weight="0.3"),
        ],
    )
    report = engine(core(), weights).assess([team("T1"), *volunteering("T1", 2), *late("T1", 1)])
    assert report["T1"].composite == Decimal("0.7") * 8 + Decimal("0.3") * 8
    assert report["T1"].dimension("pb").weight == Decimal("0.7")
    # without weights: the plain sum
    assert (
        engine(core()).assess([team("T1"), *volunteering("T1", 2), *late("T1", 1)])["T1"].composite
        == 16
    )

    partial = plugin(
        "partial", assessment_register_weights=lambda: [Weight(dimension="pb", weight=1)]
    )
    with pytest.raises(RubricError, match="dimensions without a weight: cv"):
        engine(core(), partial)


def test_assessment_register_ranking_tie_break_and_vetoed_last() -> None:
    veto = plugin("veto", assessment_register_rules=lambda: [_veto("accident")])
    records = [
        team("T1"),
        *volunteering("T1", 1),
        *late("T1", 2),  # 4 + 6 = 10
        team("T2"),
        *volunteering("T2", 2),
        *late("T2", 4),  # 8 + 2 = 10
        team("T3"),
        Incident(team="T3", period="2024", id="x", kind="accident"),
    ]
    default = engine(core(), veto).assess(records)
    assert [(a.team, a.rank) for a in default] == [("T1", 1), ("T2", 1), ("T3", None)]

    ranking = plugin(
        "ranking",
        assessment_register_ranking=lambda: [
            Ranking(
                keys=(SortKey(quantity=Composite()), SortKey(quantity=DimensionScore("pb"))),
                vetoed="last",
            )
        ],
    )
    ranked = engine(core(), veto, ranking).assess(records)
    assert [(a.team, a.rank) for a in ranked] == [("T2", 1), ("T1", 2), ("T3", 3)]
