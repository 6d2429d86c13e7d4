"""The ranking as a table: the columns the CSV and XLSX results share."""

from __future__ import annotations

from decimal import Decimal

from ..report import Report

__all__ = ["Cell", "ranking_table"]

#: One cell of a results table.
Cell = str | int | Decimal | bool | None


def ranking_table(report: Report) -> tuple[list[str], list[list[Cell]]]:
    """The ranking: column names and one row per team, in rank order.

    Columns: ``rank``, ``team``, ``name``, ``department``, ``composite``, ``grade`` (with a
    composite grade scale), then per dimension its score (column named by the dimension's id)
    and grade (``<id> grade``, when it has a scale), ``titles`` (labels, ``; ``-separated) and
    ``vetoed``. An unranked team's rank is empty.
    """
    rubric = report.rubric
    titles = {t.id: t.label for t in rubric.titles}
    scaled = {s.of for s in rubric.grade_scales}
    headers = ["rank", "team", "name", "department", "composite"]
    if None in scaled:
        headers.append("grade")
    for dim in rubric.dimensions:
        headers.append(dim.id)
        if dim.id in scaled:
            headers.append(f"{dim.id} grade")
    headers += ["titles", "vetoed"]
    rows: list[list[Cell]] = []
    for standing in report.rows():
        row: list[Cell] = [
            standing.rank,
            standing.team,
            standing.name,
            standing.department,
            standing.composite,
        ]
        if None in scaled:
            row.append(standing.grade.label if standing.grade else None)
        for dim_id, score, grade in zip(
            standing.dimension_ids, standing.scores, standing.grades, strict=True
        ):
            row.append(score)
            if dim_id in scaled:
                row.append(grade.label if grade else None)
        row.append("; ".join(titles.get(t, t) for t in standing.titles))
        row.append(standing.vetoed)
        rows.append(row)
    return headers, rows
