"""The demo (``examples/demo.py``) runs as a program and shows who won and why.

It is run in a subprocess, as ``nox -s demo`` runs it; the expected team and numbers come from
the hand computation in ``examples/expected-2024.md``.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("rich")

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo.py"


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("COLUMNS", None)
    return subprocess.run(
        [sys.executable, str(DEMO), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def default_run() -> subprocess.CompletedProcess[str]:
    return run_demo()


def test_the_demo_prints_the_ranking_and_explains_the_winner(
    default_run: subprocess.CompletedProcess[str],
) -> None:
    assert default_run.returncode == 0, default_run.stderr
    out = default_run.stdout
    # the table: title, header, the first team with its numbers and title
    assert "2024 年度班组考评" in out
    headers = ("名次", "班组 team", "所 dept", "综合 composite", "党建 pb", "业务 bp", "称号 title")
    for header in headers:
        assert header in out
    first = next(line for line in out.splitlines() if "塑化所业务室" in line)
    assert "96.50" in first
    assert "101.00" in first
    assert "先进班组" in first
    # the ranking's order: the first-ranked team comes before the red-flag team
    assert out.index("塑化所业务室") < out.index("食品所理化室") < out.index("建材所防水材料室")
    # the tie, the quota overrun, the vetoed team at the bottom
    assert out.count("3=") == 2
    assert "1 over the limit because of a tie" in out
    vetoed = next(line for line in out.splitlines() if "建材所防水材料室" in line)
    assert "bp.veto.false_report" in vetoed
    assert "—" in vetoed
    # the explanation of the first-ranked team, with why it is not 红旗
    explanation = out[out.index("解释 (explanation)") :]
    assert "塑化所业务室 [plastic-biz] — 塑化所 — 2024" in explanation
    assert "综合得分 (composite) 96.50" in explanation
    assert "红旗班组 (red-flag team): 条件未满足" in explanation
    assert "✗ 省局级以上加分项" in explanation
    assert "[pb.bonus.innovation.institute]" in explanation  # printed as text, not markup
    assert "称号 (title) 先进班组 (advanced team) [title.advanced]" in explanation


def test_the_demo_explains_a_chosen_team() -> None:
    result = run_demo(str(ROOT / "examples" / "institute-2024.json"), "--team", "food-chem")
    assert result.returncode == 0, result.stderr
    explanation = result.stdout[result.stdout.index("解释 (explanation)") :]
    assert "食品所理化室 [food-chem]" in explanation
    assert "✓ 省局级以上加分项" in explanation
    assert "科技/标准奖): bp.bonus.standard_award" in explanation
    assert "称号 (title) 红旗班组 (red-flag team) [title.red_flag]" in explanation


def test_the_demo_runs_on_the_year_before() -> None:
    result = run_demo(str(ROOT / "examples" / "institute-2023.json"))
    assert result.returncode == 0, result.stderr
    assert "2023 年度班组考评" in result.stdout
    assert "解释 (explanation)" in result.stdout


def test_an_unknown_team_is_refused_with_the_known_ids() -> None:
    result = run_demo("--team", "no-such-team")
    assert result.returncode != 0
    assert "no-such-team" in result.stderr
    assert "plastic-biz" in result.stderr
