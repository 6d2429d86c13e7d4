"""Static verification of a rubric: findings its author can act on, before any assessment.

:func:`check_rubric` reads an assembled :class:`~assessment_engine.rubric.Rubric` as data and
computes, by interval arithmetic over its scoring forms, what every indicator, dimension, the
composite and each grade scale can reach; the checks compare that with what the rubric declares.
:func:`check_plugins` assembles the rubric from plugins first and turns a rubric that fails to
assemble (duplicate ids, unknown references) into error findings instead of raising.

The reasoning over-approximates (a range may be wider than what teams can really reach, never
narrower), so "can never" and "always" findings are certain; see ``docs/consistency-kit.md``
for every check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final

from .._plugins import collect_contributions, create_plugin_manager
from ..errors import ConflictError, PluginError, RubricError
from ..rubric import Contribution, Rubric
from ..rubric.model import Bonus, Dimension, GradeScale, Indicator, Penalty, Quota, Title, Veto
from ..rubric.scoring import Parts
from ..rubric.walk import parts_in
from . import _form_checks, _outcome_checks, _rubric_checks
from ._findings import SEVERITIES, Finding, Severity, sort_findings
from ._model import Model

__all__ = ["CHECKS", "SEVERITIES", "Finding", "Severity", "check_plugins", "check_rubric"]

Check = Callable[[Rubric, Model], Iterable[Finding]]

#: The checks :func:`check_rubric` runs, in this order (the result is sorted anyway).
CHECKS: Final[tuple[Check, ...]] = (
    _rubric_checks.check_ids,
    _rubric_checks.check_values,
    _form_checks.check_bands,
    _form_checks.check_caps,
    _form_checks.check_indicator_max,
    _form_checks.check_points_above_max,
    _form_checks.check_deductions,
    _rubric_checks.check_bonuses,
    _rubric_checks.check_dimensions,
    _rubric_checks.check_weights,
    _outcome_checks.check_vetoes,
    _outcome_checks.check_conditions,
    _outcome_checks.check_grade_scales,
    _outcome_checks.check_titles,
    _outcome_checks.check_quotas,
    _form_checks.check_double_counting,
    _rubric_checks.check_groups,
    _rubric_checks.check_fact_kinds,
)

_ID_TYPES: Final = (Dimension, Indicator, Bonus, Penalty, Veto, Title, Quota, GradeScale)


def check_rubric(rubric: Rubric) -> tuple[Finding, ...]:
    """Every finding about an assembled rubric, errors first, then by subject and check.

    An empty result means no check found anything: not even an ``"info"``. The result is
    deterministic: the same rubric gives the same findings in the same order.
    """
    model = Model(rubric)
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(rubric, model))
    return sort_findings(findings)


def check_plugins(
    *plugins: object, entry_points: bool = True, block: Iterable[str] = ()
) -> tuple[Finding, ...]:
    """Assemble the rubric from plugins, as :class:`~assessment_engine.Engine` does, and check it.

    :param plugins: plugin objects or modules (or ``(name, plugin)`` pairs).
    :param entry_points: also load the installed plugins (default ``True``, like the engine).
    :param block: plugin names not to register.

    A rubric that does not assemble gives ``"error"`` findings instead of an exception: every
    id registered twice (``duplicate-id``), every unknown fact kind, field or reference, with
    its "did you mean" (``unknown-reference``), other refusals (``invalid-rubric``,
    ``conflict``) and plugins that fail (``plugin-error``). The static checks of
    :func:`check_rubric` run once the rubric assembles.
    """
    try:
        plugin_set = create_plugin_manager(plugins, entry_points=entry_points, block=block)
        registrations = collect_contributions(plugin_set)
    except PluginError as exc:
        return (Finding("error", exc.plugin, "plugin-error", str(exc)),)
    findings, registrations = _duplicates(registrations)
    rubric = _assemble(registrations, findings)
    if rubric is not None and not findings:
        return check_rubric(rubric)
    return sort_findings(findings)


def _ids(obj: Any) -> Iterator[str]:
    if isinstance(obj, _ID_TYPES):
        yield obj.id
        scoring = getattr(obj, "scoring", None)
        if isinstance(scoring, Parts):
            yield from (part.id for part in parts_in(scoring))


def _what(obj: Any) -> str:
    return "fact kind" if isinstance(obj, type) else type(obj).__name__.lower()


def _duplicates(
    registrations: Sequence[Contribution],
) -> tuple[list[Finding], list[Contribution]]:
    """Report every id and fact kind registered more than once; keep the first registration."""
    claims: dict[tuple[str, str], list[Contribution]] = {}
    for reg in registrations:
        if isinstance(reg.obj, type):
            kind = reg.obj.__dict__.get("fact_kind")
            if isinstance(kind, str):
                claims.setdefault(("fact kind", kind), []).append(reg)
            continue
        for object_id in _ids(reg.obj):
            claims.setdefault(("id", object_id), []).append(reg)
    findings = []
    dropped: set[int] = set()
    for (space, name), regs in sorted(claims.items()):
        if len(regs) < 2:
            continue
        owners = "; ".join(f"{_what(r.obj)} from plugin {r.source!r}" for r in regs)
        findings.append(
            Finding(
                "error",
                name,
                "duplicate-id",
                f"the {space} {name!r} is registered {len(regs)} times ({owners}); each must be"
                " unique across the whole rubric (parts included). Rename all but one.",
            )
        )
        dropped.update(id(r) for r in regs[1:])
    return findings, [r for r in registrations if id(r) not in dropped]


def _assemble(registrations: list[Contribution], findings: list[Finding]) -> Rubric | None:
    """Build the rubric; on a reference error, report it, set its object aside and retry.

    Retrying finds every object with a bad reference, not only the first. Errors that only
    repeat a reference to an object already set aside are not reported again.
    """
    removed: set[str] = set()
    while True:
        try:
            return Rubric.assemble(registrations)
        except ConflictError as exc:
            findings.append(Finding("error", exc.object_id, "conflict", str(exc)))
            return None
        except RubricError as exc:
            subject = exc.subject or "rubric"
            message = str(exc)
            if not any(f"'{gone}'" in message for gone in removed):
                check = "unknown-reference" if _is_reference(message) else "invalid-rubric"
                findings.append(Finding("error", subject, check, message))
            remaining = [r for r in registrations if subject not in set(_ids(r.obj))]
            if len(remaining) == len(registrations):
                return None  # not an object we can set aside (weights, ranking)
            removed.add(subject)
            registrations = remaining
        except PluginError as exc:
            findings.append(Finding("error", exc.plugin, "plugin-error", str(exc)))
            return None


def _is_reference(message: str) -> bool:
    return any(
        key in message
        for key in ("unknown fact kind", "has no field", "refers to unknown", "has no label")
    )
