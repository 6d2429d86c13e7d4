"""The command line's scale-out options: --workers, --scheduler, --partition-by.

``evaluate``, ``report`` and ``ledger record`` give the same output with them as without.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assessment_engine import dump_json

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_support import Cli, team_facts


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.mark.parametrize(
    "options",
    [
        ["--workers", "2"],
        ["--workers", "2", "--partition-by", "department"],
        ["--workers", "1", "--partition-by", "file"],
    ],
)
def test_evaluate_json_is_the_same_with_workers(cli: Cli, options: list[str]) -> None:
    plain = cli.run("evaluate", str(cli.facts), "--format", "json")
    scaled = cli.run("evaluate", str(cli.facts), "--format", "json", *options)
    assert scaled.exit_code == 0, scaled.output
    assert scaled.stdout == plain.stdout


def test_evaluate_on_a_local_dask_cluster(cli: Cli) -> None:
    pytest.importorskip("distributed")
    plain = cli.run("evaluate", str(cli.facts), "--format", "csv")
    scaled = cli.run(
        "evaluate", str(cli.facts), "--format", "csv", "--scheduler", "local", "--workers", "2"
    )
    assert scaled.exit_code == 0, scaled.output
    assert scaled.stdout == plain.stdout


def test_report_and_files_partitions(cli: Cli, tmp_path: Path) -> None:
    facts = team_facts()
    first = tmp_path / "a.json"
    second = tmp_path / "b.json"
    first.write_text(dump_json([f for f in facts if f.team != "sales"]), encoding="utf-8")
    second.write_text(dump_json([f for f in facts if f.team == "sales"]), encoding="utf-8")
    plain = cli.run("report", str(cli.facts), "-o", "-")
    scaled = cli.run(
        "report", str(first), str(second), "-o", "-", "--workers", "2", "--partition-by", "file"
    )
    assert scaled.exit_code == 0, scaled.output
    assert scaled.stdout == plain.stdout


def test_ledger_record_with_workers_reproduces(cli: Cli, tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    book = str(tmp_path / "book.sqlite")
    recorded = cli.run(
        "ledger", "record", str(cli.facts), "--ledger", book, "--author", "li", "--workers", "2"
    )
    assert recorded.exit_code == 0, recorded.output
    assert "recorded run 1" in recorded.output
    reproduced = cli.run("ledger", "reproduce", "1", "--ledger", book)
    assert reproduced.exit_code == 0, reproduced.output


def test_a_bad_worker_count_is_a_usage_error(cli: Cli) -> None:
    result = cli.run("evaluate", str(cli.facts), "--workers", "0")
    assert result.exit_code == 2
    assert "--workers" in result.output
