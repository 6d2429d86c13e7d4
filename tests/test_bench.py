"""The benchmark's harness on tiny sizes: every path runs and gives the reference's ranking.

``bench/`` is not a package; its modules import one another by name, as ``bench/run.py`` runs
them, so the directory goes on ``sys.path`` here. These tests keep the harness from rotting;
they time nothing.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import common  # noqa: E402
import engine_facts  # noqa: E402
import facts_files  # noqa: E402
import harness  # noqa: E402
import jobs  # noqa: E402
import page  # noqa: E402
import parts  # noqa: E402
import reference  # noqa: E402
import run as bench_run  # noqa: E402
import workload  # noqa: E402

N = 40
FORMATS = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            facts_files.missing_module(fmt) is not None, reason=f"{fmt.needs} not installed"
        ),
    )
    for name, fmt in facts_files.FORMATS.items()
]


@pytest.fixture(scope="module")
def truth() -> str:
    return common.digest(reference.run(workload.generate(N)))


def test_files_use_the_period_of_the_typed_facts():
    assert facts_files.PERIOD == engine_facts.PERIOD


@pytest.mark.parametrize("name", FORMATS)
def test_a_facts_file_holds_the_workload(name, tmp_path, truth):
    """The reference reads back the teams it was written from; the engine, when it reads the
    format, loads exactly the typed facts ``engine_facts`` builds from the same records."""
    from assessment_engine import FactSet

    fmt = facts_files.FORMATS[name]
    path = tmp_path / f"facts{fmt.suffix}"
    fmt.write(workload.generate(N), path)
    assert common.digest(reference.run(fmt.read(path))) == truth
    reads, how = facts_files.engine_reads(fmt, tmp_path)
    if not reads:
        assert name == "parquet", how  # the one format the engine has no loader for yet
        assert "not supported yet" in how
        return
    engine = jobs.new_engine()
    loaded = engine.load_facts(path)
    expected = FactSet(engine_facts.generate_facts(N))
    assert set(loaded) == set(expected)
    assert len(loaded) == len(expected)


def test_records_in_memory_every_builder(tmp_path, truth):
    offer = jobs.catalog(str(tmp_path))
    names = [offer["builders"]["headline"], *offer["builders"]["variants"]]
    assert "fact-classes" in names
    assert "converter" in names
    assert names[0] == "records"  # the bulk path, streamed, is the headline
    assert "records-list" in names
    assert jobs.run("memory-ref", [str(N)])["digest"] == truth
    for name in names:
        result = jobs.run("memory-engine", [str(N), name])
        assert result["digest"] == truth, name
        assert set(result["steps"]) >= {"engine", "assess", "rows"}
        built = {"FactSet", "records mapped and read as a stream"} & set(result["steps"])
        assert len(built) == 1, result["steps"]
        assert result["time"]["wall"] >= sum(result["steps"].values()) * 0.99


@pytest.mark.parametrize("name", FORMATS)
def test_file_to_results_file(name, tmp_path, truth):
    fmt = facts_files.FORMATS[name]
    facts = tmp_path / f"facts{fmt.suffix}"
    assert jobs.run("generate", [name, str(N), str(facts)])["bytes"] > 0
    ref_out = tmp_path / f"ref{fmt.suffix}"
    steps = jobs.run("file-ref", [name, str(facts), str(ref_out)])["steps"]
    assert list(steps) == ["read", "score and rank", "write"]
    assert jobs.run("check", [str(ref_out)]) == {"digest": truth, "teams": N}
    if not facts_files.engine_reads(fmt, tmp_path)[0]:
        return
    eng_out = tmp_path / f"engine{fmt.suffix}"
    jobs.run("file-engine", [name, str(facts), str(eng_out)])
    assert jobs.run("check", [str(eng_out)]) == {"digest": truth, "teams": N}


@pytest.mark.parametrize(
    ("job", "suffix"),
    [("evaluate → CSV", ".csv"), ("evaluate → JSON", ".json"), ("report → HTML", ".html")],
)
def test_the_command_line_and_the_reference_command_agree(job, suffix, tmp_path, truth):
    from parts import CLI_JOBS

    _, engine_args, ref_args, _ = CLI_JOBS[job]
    facts = tmp_path / "facts.json"
    facts_files.write_json(workload.generate(N), facts)
    command = "report" if job.startswith("report") else "evaluate"
    limits = harness.Limits(timeout=120)
    out = tmp_path / f"engine{suffix}"
    argv = harness.cli_argv(command, facts, *harness.CLI_RUBRIC, *engine_args, out)
    run = harness.run_child(argv, limits, env=harness.CLI_ENV)
    assert run.ok, run.note
    assert run.maxrss_mb > 10
    assert jobs.check(str(out)) == {"digest": truth, "teams": N}
    ref_out = tmp_path / f"ref{suffix}"
    script = str(BENCH / "reference_cli.py")
    run = harness.run_child([sys.executable, script, command, facts, *ref_args, ref_out], limits)
    assert run.ok, run.note
    assert jobs.check(str(ref_out)) == {"digest": truth, "teams": N}


def test_a_child_is_stopped_at_its_timeout_and_at_its_memory_ceiling():
    slow = harness.run_child(
        [sys.executable, "-c", "import time; time.sleep(30)"], harness.Limits(timeout=0.5)
    )
    assert slow.status == "timeout"
    assert slow.note == "timed out after 0 s" or slow.note.startswith("timed out after")
    assert slow.wall < 10
    big = "x = bytearray(400 * 1024 * 1024); import time; time.sleep(30)"
    hungry = harness.run_child([sys.executable, "-c", big], harness.Limits(max_rss_mb=200))
    assert hungry.status == "memory"
    assert "stopped at" in hungry.note
    failing = harness.run_child([sys.executable, "-c", "raise SystemExit('no')"], harness.Limits())
    assert failing.status == "failed"
    assert "no" in failing.note


def test_measure_keeps_the_median_and_stops_repeating_long_runs():
    script = (
        "import json, time; time.sleep(0.05); print(json.dumps({'digest': 'd', 'maxrss_mb': 1.0}))"
    )
    argv = [sys.executable, "-c", script]
    result = harness.measure(argv, harness.Limits(repeat=3))
    assert result["runs"] == 3
    assert result["digests"] == ["d", "d", "d"]
    assert result["wall"] >= 0.05
    result = harness.measure(argv, harness.Limits(repeat=3, long_after=0.01))
    assert result["runs"] == 1


def test_the_driver_writes_the_page_and_the_raw_results(tmp_path):
    output, results = tmp_path / "performance.md", tmp_path / "results.json"
    argv = ["--sizes", "20", "--repeat", "1", "--parts", "memory,files,engine", "--formats", "json"]
    assert bench_run.main([*argv, "--output", str(output), "--results", str(results)]) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    text = output.read_text(encoding="utf-8")
    assert data["memory"]["20"]["engine"]["same_results"] is True
    assert data["files"]["20"]["json"]["engine"]["output"]["same_results"] is True
    assert data["engine_only"]["20"]["same_results"] is True
    assert "| records in memory → ranking | 20 |" in text
    assert "| JSON facts file → results file | 20 |" in text
    assert text.index("## What users wait for") < text.index("## Targets") < text.index("## Method")


def test_the_page_says_when_results_differ_or_a_run_was_stopped():
    ok = {"status": "ok", "runs": 3, "wall": 1.0, "maxrss_mb": 100.0}
    results = {
        "settings": {
            "timeout": 900,
            "max_rss_mb": 12000,
            "repeat": 3,
            "long_after": 120,
            "matcher": "durable",
        },
        "machine": {"description": "test machine"},
        "date": "2026-01-01",
        "memory": {
            "100000": {
                "reference": ok,
                "engine": {**ok, "wall": 2.0, "same_results": False},
                "builder": "b",
                "builder_description": "b",
            }
        },
        "files": {
            "100000": {
                "json": {
                    "reference": ok,
                    "engine": {"status": "timeout", "note": "timed out after 900 s", "runs": 1},
                }
            }
        },
        "cli": {},
        "engine_only": {},
    }
    text = page.render(results)
    assert "**differ**" in text
    assert "**timed out after 900 s**" in text
    assert page.mismatches(results) == ["records in memory → ranking at 100,000 teams"]
    verdicts = dict(page.targets(results))
    assert verdicts["records in memory → ranking ≤ 3× the reference"].startswith("**met**: ×2.00")
    assert (
        verdicts[
            "JSON facts file → JSON results file ≤ 2× the reference's json.load → score → json.dump"
        ]
        == "not measured"
    )


@pytest.mark.skipif(importlib.util.find_spec("openpyxl") is None, reason="openpyxl not installed")
def test_a_kind_longer_than_a_sheet_continues_on_a_tagged_sheet(tmp_path, monkeypatch, truth):
    monkeypatch.setattr(facts_files, "SHEET_ROWS", 100)
    path = tmp_path / "facts.xlsx"
    facts_files.write_xlsx(workload.generate(N), path)
    assert common.digest(reference.run(facts_files.read_xlsx(path))) == truth
    engine = jobs.new_engine()
    assert set(engine.load_facts(path)) == set(engine_facts.generate_facts(N))


def test_merging_adds_sizes_and_replaces_the_ones_measured_again():
    def results(sizes, parts, wall):
        m = {"status": "ok", "wall": wall}
        return {
            "machine": {"description": f"m{wall}"},
            "date": f"d{wall}",
            "settings": {"sizes": sizes, "memory_sizes": [], "parts": parts, "repeat": 3},
            **{key: {str(n): m for n in sizes} for key in bench_run.BY_SIZE},
        }

    old = {**results([10_000, 100_000], ["memory", "files"], 1.0), "notes": ["first"]}
    new = {**results([100_000, 1_000_000], ["memory"], 2.0), "notes": ["second"]}
    merged = bench_run.merge(old, new)
    assert merged["notes"] == ["first", "second"]
    empty = {key: {} for key in bench_run.BY_SIZE}
    minimal = {**empty, "settings": merged["settings"], "machine": {"description": "m"}}
    settings = {"timeout": 1, "max_rss_mb": 1, "long_after": 1, "matcher": "durable"}
    minimal["settings"] = {**minimal["settings"], **settings}
    assert "- second" in page.render({**minimal, "date": "d", "notes": merged["notes"]})
    assert list(merged["memory"]) == ["10000", "100000", "1000000"]
    assert [m["wall"] for m in merged["memory"].values()] == [1.0, 2.0, 2.0]
    assert merged["settings"]["sizes"] == [10_000, 100_000, 1_000_000]
    assert merged["settings"]["parts"] == ["files", "memory"]
    assert merged["date"] == "d2.0"


def test_merging_one_format_keeps_the_others_of_its_size():
    ok = {"status": "ok", "wall": 1.0}
    settings = {"sizes": [10_000], "memory_sizes": [], "parts": ["files"]}
    old = {
        "machine": {},
        "date": "",
        "settings": settings,
        "files": {"10000": {"json": ok, "csv": ok}},
    }
    new = {**old, "files": {"10000": {"parquet": ok, "csv": {**ok, "wall": 2.0}}}}
    merged = bench_run.merge(old, new)["files"]["10000"]
    assert sorted(merged) == ["csv", "json", "parquet"]
    assert merged["csv"]["wall"] == 2.0


def test_the_results_file_names_inputs_by_their_file_name_only() -> None:
    # the published results must not carry the measuring machine's paths
    assert parts.recorded({"path": "/tmp/x/facts-10.json", "bytes": 3}) == {
        "path": "facts-10.json",
        "bytes": 3,
    }
    assert parts.recorded({"path": None, "note": "n"}) == {"path": None, "note": "n"}
    paths: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            paths.extend(v for k, v in node.items() if k == "path" and isinstance(v, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads((BENCH / "results.json").read_text(encoding="utf-8")))
    assert paths
    assert not [p for p in paths if Path(p).is_absolute()]


def test_the_page_says_what_bounds_each_unmet_target():
    ref = {"status": "ok", "runs": 1, "wall": 2.0, "maxrss_mb": 100.0, "steps": {"score": 2.0}}
    steps = {"records in the engine's form": 3.0, "FactSet": 8.0, "assess": 6.0, "rows": 1.0}
    slow = {"status": "ok", "runs": 1, "wall": 18.0, "maxrss_mb": 400.0, "steps": steps}
    results = {"memory": {"100000": {"reference": ref, "engine": slow}}, "files": {}, "cli": {}}
    (line, why, memory) = page.bounds(results)
    assert "FactSet 8.000 s (×4.00)" in line
    assert line.index("FactSet") < line.index("assess") < line.index("rows")  # largest first
    assert "assess + rows alone already over the target: ×3.50" in why  # (6 + 1) / 2
    assert "peak memory" in memory
    assert "4.1 KB a team" in memory  # 400 MB × 1024 / 100,000 teams
    fast = {**slow, "wall": 5.0, "maxrss_mb": 120.0}
    assert page.bounds({**results, "memory": {"100000": {"reference": ref, "engine": fast}}}) == []


def test_linear_is_judged_alone_or_against_the_references_own_change():
    def run(wall: float, rss: float) -> dict:
        return {"status": "ok", "runs": 1, "wall": wall, "maxrss_mb": rss}

    def verdict(engine_big: float, reference_big: float) -> str:
        memory = {
            "10000": {"reference": run(0.1, 100.0), "engine": run(1.0, 200.0)},
            "1000000": {
                "reference": run(reference_big, 10_000.0),
                "engine": run(engine_big, 20_000.0),
            },
        }
        return page.linearity_verdict({"memory": memory})

    assert verdict(100.0, 10.0).startswith("**met** (")  # both exactly linear
    relative = verdict(130.0, 14.0)  # ×1.30 alone, ×0.93 of the reference's ×1.40
    assert relative.startswith("**met** against the reference's own per-team change")
    assert "per-team time ×1.30" in relative
    assert "the reference's ×1.40" in relative
    assert verdict(130.0, 10.0).startswith("**not met**")  # the reference stayed linear
    assert verdict(200.0, 14.0).startswith("**not met**")  # ×2.00, ×1.43 of the reference's
