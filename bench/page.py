"""``docs/performance.md`` from ``bench/results.json``: headline first, then the rest.

Order of the page: what users wait for (every path, × the reference, peak memory, whether its
results are the reference's), the targets (met / not met and the gap), where the time goes
(steps), linearity, the secondary figures (engine only, incremental, other ways to build the
facts, file sizes), method, how to run it, machine.
"""

from __future__ import annotations

TARGET_N = 100_000
TOLERANCE = 1.25  # "linear": per-team cost at a larger size within this factor of the smallest's


# --------------------------------------------------------------------------- formatting


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _mb(mb: float | None) -> str:
    if mb is None:
        return "–"
    return f"{mb / 1024:.2f} GB" if mb >= 1024 else f"{mb:.0f} MB"


def _bytes(size: int | None) -> str:
    if size is None:
        return "–"
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else _mb(size / 1024 / 1024)


def _x(a: float | None, b: float | None) -> str:
    return "–" if a is None or not b else f"×{a / b:.2f}"


def _ok(m: dict | None) -> bool:
    return bool(m) and m.get("status") == "ok"


def _runs(m: dict) -> str:
    return "" if m.get("runs", 0) >= 3 else f" ({m['runs']} run{'s' if m['runs'] != 1 else ''})"


def _time_cell(m: dict | None) -> str:
    if m is None:
        return "–"
    if m.get("status") == "unsupported":
        return "not supported yet"
    if not _ok(m):
        return f"**{m.get('note', m.get('status'))}**"
    return _s(m["wall"]) + _runs(m)


def same(m: dict | None) -> bool | None:
    """Whether a measurement's results are the reference's (``None``: not checked)."""
    if not _ok(m):
        return None
    if "same_results" in m:
        return m["same_results"]
    return m.get("output", {}).get("same_results")


def _same_cell(m: dict | None) -> str:
    s = same(m)
    return "yes" if s else ("**differ**" if s is False else "–")


def _teams(n: str | int) -> str:
    return f"{int(n):,}"


# --------------------------------------------------------------------------- rows of the headline


def headline_rows(results: dict) -> list[tuple[str, str, dict | None, dict | None]]:
    """(path, teams, engine measurement, reference measurement) of every measured path."""
    rows = []
    for n, entry in results.get("memory", {}).items():
        rows.append(("records in memory → ranking", n, entry["engine"], entry["reference"]))
    for n, by_format in results.get("files", {}).items():
        for fmt, entry in by_format.items():
            label = f"{fmt.upper() if fmt != 'parquet' else 'Parquet'} facts file → results file"
            if "skipped" in entry:
                rows.append((label, n, {"status": "skipped", "note": entry["skipped"]}, None))
            else:
                rows.append((label, n, entry.get("engine"), entry.get("reference")))
    for n, by_job in results.get("cli", {}).items():
        for job, entry in by_job.items():
            label = f"command line: `{job}`"
            if "skipped" in entry:
                rows.append((label, n, {"status": "skipped", "note": entry["skipped"]}, None))
            else:
                rows.append((label, n, entry.get("engine"), entry.get("reference")))
    order = {label: i for i, (label, *_) in enumerate(rows)}
    return sorted(rows, key=lambda r: (order[r[0]], int(r[1])))


def _headline_table(results: dict) -> list[str]:
    lines = [
        "| path | teams | engine | reference | × reference | engine peak memory | reference peak memory | × reference | same results |",
        "|---|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for label, n, eng, ref in headline_rows(results):
        if eng and eng.get("status") == "skipped":
            lines.append(f"| {label} | {_teams(n)} | skipped: {eng['note']} | | | | | | |")
            continue
        ratio = _x(eng["wall"], ref["wall"]) if _ok(eng) and _ok(ref) else "–"
        mem = _x(eng["maxrss_mb"], ref["maxrss_mb"]) if _ok(eng) and _ok(ref) else "–"
        eng_mem = (
            _mb(eng["maxrss_mb"])
            if _ok(eng)
            else (_mb(eng.get("maxrss_seen_mb")) if eng and eng.get("maxrss_seen_mb") else "–")
        )
        lines.append(
            f"| {label} | {_teams(n)} | {_time_cell(eng)} | {_time_cell(ref)} | {ratio} | {eng_mem} |"
            f" {_mb(ref['maxrss_mb']) if _ok(ref) else '–'} | {mem} | {_same_cell(eng)} |"
        )
    return lines


# --------------------------------------------------------------------------- targets


def _at_target(series: dict) -> tuple[str | None, dict | None]:
    if str(TARGET_N) in series:
        return str(TARGET_N), series[str(TARGET_N)]
    if not series:
        return None, None
    n = max(series, key=int)
    return n, series[n]


def _verdict(value: float | None, limit: float, *, what: str = "×") -> str:
    if value is None:
        return "not measured"
    if value <= limit:
        return f"**met**: {what}{value:.2f}"
    return f"**not met**: {what}{value:.2f}, {value / limit:.1f}× over the target"


def _ratio(eng: dict | None, ref: dict | None, key: str = "wall") -> float | None:
    return eng[key] / ref[key] if _ok(eng) and _ok(ref) else None


def _gap_time(eng: dict | None, ref: dict | None, limit: float) -> str:
    if not (_ok(eng) and _ok(ref)):
        return ""
    goal = ref["wall"] * limit
    return f" ({_s(eng['wall'])} against at most {_s(goal)})" if eng["wall"] > goal else ""


def targets(results: dict) -> list[tuple[str, str]]:
    """(target, verdict) pairs."""
    out = []
    n, mem = _at_target(results.get("memory", {}))
    note = "" if n in (None, str(TARGET_N)) else f" (measured at {_teams(n)} teams)"
    eng, ref = (mem or {}).get("engine"), (mem or {}).get("reference")
    out.append(
        (
            "records in memory → ranking ≤ 3× the reference" + note,
            _verdict(_ratio(eng, ref), 3) + _gap_time(eng, ref, 3),
        )
    )
    out.append(
        (
            "records in memory: peak memory ≤ 1.5× the reference's" + note,
            _verdict(_ratio(eng, ref, "maxrss_mb"), 1.5),
        )
    )
    n, by_format = _at_target(results.get("files", {}))
    note = "" if n in (None, str(TARGET_N)) else f" (measured at {_teams(n)} teams)"
    js = (by_format or {}).get("json", {})
    eng, ref = js.get("engine"), js.get("reference")
    out.append(
        (
            "JSON facts file → JSON results file ≤ 2× the reference's json.load → score → json.dump"
            + note,
            _verdict(_ratio(eng, ref), 2) + _gap_time(eng, ref, 2),
        )
    )
    out.append(
        (
            "JSON facts file → JSON results file: peak memory ≤ 1.5× the reference's" + note,
            _verdict(_ratio(eng, ref, "maxrss_mb"), 1.5),
        )
    )
    out.append(
        (
            "cost linear from 10,000 to 1,000,000 teams (records in memory)",
            linearity_verdict(results),
        )
    )
    n, by_job = _at_target(results.get("cli", {}))
    note = "" if n in (None, str(TARGET_N)) else f" (measured at {_teams(n)} teams)"
    html, csv = (by_job or {}).get("report → HTML", {}), (by_job or {}).get("evaluate → CSV", {})
    html_eng, csv_eng = html.get("engine"), csv.get("engine")
    if html_eng and not _ok(html_eng) and html_eng.get("note"):
        verdict = f"**not met**: {html_eng['note']} (`evaluate → CSV` {_time_cell(csv_eng)})"
    else:
        verdict = _verdict(_ratio(html_eng, csv_eng), 2)
    out.append(
        (
            "the HTML report written in ≤ 2× the assessment's time (`report --html` ÷ `evaluate --format csv`, same file)"
            + note,
            verdict,
        )
    )
    return out


# --------------------------------------------------------------------------- what bounds them

#: What each engine step does that the reference's loops over dicts do not (the design's
#: non-negotiables: exact numbers, every record validated, every point explained).
STEP_WORK = {
    "records in the engine's form": "the application's dicts mapped to tagged fact records",
    "records mapped and read as a stream": "the application's dicts mapped to tagged fact"
    " records, each record validated as it is read and its numbers made exact Decimals, one"
    " typed row a fact",
    "FactSet": "every record validated and its numbers made exact Decimals, one typed row a fact",
    "load": "the file parsed, every record validated, its numbers made exact Decimals",
    "assess": "every rule matched and scored with exact Decimals, explanations kept",
    "rows": "the ranking rows read back from the report",
    "write": "the results written",
}


def _step_costs(eng: dict, ref: dict) -> list[tuple[str, float, float]]:
    """(step, seconds, × the reference's whole job) for each timed engine step over 1 ms."""
    steps = eng.get("steps") or {}
    if not isinstance(steps, dict):
        return []
    return [(name, t, t / ref["wall"]) for name, t in steps.items() if t >= 0.001]


def _bound(
    title: str, eng: dict | None, ref: dict | None, limit: float, floor: tuple[str, ...]
) -> list[str]:
    """One unmet time target: its steps as multiples of the reference, and the floor left when
    every step outside ``floor`` were free."""
    if not (_ok(eng) and _ok(ref)) or eng["wall"] <= ref["wall"] * limit:
        return []
    assert eng is not None
    assert ref is not None
    costs = _step_costs(eng, ref)
    if not costs:
        return []
    parts = ", ".join(
        f"{name} {_s(t)} (×{r:.2f})" for name, t, r in sorted(costs, key=lambda c: -c[1])
    )
    rest = [(name, t) for name, t, _ in costs if name in floor]
    ref_steps = ref.get("steps") if isinstance(ref.get("steps"), dict) else {}
    theirs = ", ".join(f"{name} {_s(t)}" for name, t in ref_steps.items()) or "not split"
    lines = [
        f"- **{title}** (target ×{limit:g}; the reference's whole job {_s(ref['wall'])}:"
        f" {theirs}): {parts}."
    ]
    if rest:
        alone = sum(t for _, t in rest) / ref["wall"]
        names = " + ".join(name for name, _ in rest)
        verdict = "within" if alone <= limit else "already over"
        lines.append(
            f"  {names} alone {verdict} the target: ×{alone:.2f}. What the steps do that the"
            " reference's loops over dicts do not: "
            + "; ".join(f"{name}: {STEP_WORK[name]}" for name, _, _ in costs if name in STEP_WORK)
            + "."
        )
    return lines


def bounds(results: dict) -> list[str]:
    """For every unmet time target: where its time goes, as multiples of the reference."""
    out: list[str] = []
    _, mem = _at_target(results.get("memory", {}))
    out += _bound(
        "records in memory → ranking",
        (mem or {}).get("engine"),
        (mem or {}).get("reference"),
        3,
        ("assess", "rows"),
    )
    _, by_format = _at_target(results.get("files", {}))
    js = (by_format or {}).get("json", {})
    out += _bound(
        "JSON facts file → JSON results file",
        js.get("engine"),
        js.get("reference"),
        2,
        ("assess", "write"),
    )
    n, mem = _at_target(results.get("memory", {}))
    eng, ref = (mem or {}).get("engine"), (mem or {}).get("reference")
    ratio = _ratio(eng, ref, "maxrss_mb")
    if ratio is not None and ratio > 1.5 and eng is not None and ref is not None and n:
        per, ref_per = eng["maxrss_mb"] * 1024 / int(n), ref["maxrss_mb"] * 1024 / int(n)
        out.append(
            f"- **records in memory: peak memory** (target ×1.5): {_mb(eng['maxrss_mb'])},"
            f" {per:.1f} KB a team, against the reference's {ref_per:.1f} KB a team (its dicts"
            " of floats). At the peak the engine's process holds the application's records"
            f" too (the reference's {ref_per:.1f} KB a team), the typed rows of exact Decimals"
            " built from them (the mapped records are streamed, never all alive), the"
            " report's team states and the ranking rows: the engine's own"
            f" {per - ref_per:.1f} KB a team alone is over the target's"
            f" {ref_per * 0.5:.1f} KB."
        )
    _, by_job = _at_target(results.get("cli", {}))
    html, csv = (by_job or {}).get("report → HTML", {}), (by_job or {}).get("evaluate → CSV", {})
    ratio = _ratio(html.get("engine"), csv.get("engine"))
    if ratio is not None and ratio > 2:
        extra = html["engine"]["wall"] - csv["engine"]["wall"]
        out.append(
            f"- **the HTML report** (target ×2 of `evaluate → CSV`): ×{ratio:.2f}, {_s(extra)}"
            " more than reading and assessing: every team's full explanation built and written"
            " as HTML (the CSV has the ranking rows only)."
        )
    return out


# --------------------------------------------------------------------------- linearity


def linearity(results: dict) -> list[dict]:
    """Per size: engine and reference time and memory, per team."""
    rows = []
    for n, entry in sorted(results.get("memory", {}).items(), key=lambda kv: int(kv[0])):
        eng, ref = entry["engine"], entry["reference"]
        row = {"n": int(n), "engine": eng, "reference": ref}
        if _ok(eng):
            row["us_per_team"] = eng["wall"] / int(n) * 1e6
            row["kb_per_team"] = eng["maxrss_mb"] * 1024 / int(n)
        if _ok(ref):
            row["ref_us_per_team"] = ref["wall"] / int(n) * 1e6
            row["ref_kb_per_team"] = ref["maxrss_mb"] * 1024 / int(n)
        rows.append(row)
    return rows


def _within(row: dict, first: dict, key: str, reference_key: str | None = None) -> bool:
    """Whether ``row``'s per-team ``key`` is within :data:`TOLERANCE` of the smallest size's —
    after the reference's own change between the two sizes, with ``reference_key``."""
    change = row[key] / first[key]
    if reference_key is not None:
        if reference_key not in row or reference_key not in first:
            return False
        change /= row[reference_key] / first[reference_key]
    return change <= TOLERANCE


def linearity_verdict(results: dict) -> str:
    rows = [r for r in linearity(results) if "us_per_team" in r]
    if len(rows) < 2:
        return "not measured (needs two sizes)"
    first, last = rows[0], rows[-1]
    t, m = last["us_per_team"] / first["us_per_team"], last["kb_per_team"] / first["kb_per_team"]
    span = f"{first['n']:,} → {last['n']:,} teams: per-team time ×{t:.2f}, per-team memory ×{m:.2f}"
    if "ref_us_per_team" in first and "ref_us_per_team" in last:
        span += (
            f"; the reference's ×{last['ref_us_per_team'] / first['ref_us_per_team']:.2f}"
            f" and ×{last['ref_kb_per_team'] / first['ref_kb_per_team']:.2f}"
        )
    absolute = all(
        _within(r, first, "us_per_team") and _within(r, first, "kb_per_team") for r in rows
    )
    relative = all(
        _within(r, first, "us_per_team", "ref_us_per_team")
        and _within(r, first, "kb_per_team", "ref_kb_per_team")
        for r in rows
    )
    verdict = "**met**" if absolute or relative else "**not met**"
    if relative and not absolute:
        verdict += (
            " against the reference's own per-team change (the plain loops slow per team as"
            f" much, on the same machine in the same run; on its own the change is over ×{TOLERANCE})"
        )
    if last["n"] < 1_000_000:
        failed = [r for r in linearity(results) if "us_per_team" not in r]
        projected = _mb(last["kb_per_team"] * 1_000_000 / 1024)
        reason = (
            f"; 1,000,000 teams: {_time_cell(failed[-1]['engine'])} (at {last['n']:,} teams' memory"
            f" per team it would need about {projected})"
            if failed
            else f"; 1,000,000 teams not measured (at {last['n']:,} teams' memory per team it would"
            f" need about {projected}; `--parts memory --sizes 1000000 --merge --max-rss-mb 21000`)"
        )
        return f"{verdict} up to {last['n']:,} ({span}){reason}"
    return (
        f"{verdict} ({span}; peak memory at {last['n']:,} teams {_mb(last['engine']['maxrss_mb'])})"
    )


# --------------------------------------------------------------------------- the page


def _steps_table(results: dict) -> list[str]:
    lines = ["| path | teams | engine's steps | reference's steps |", "|---|---:|---|---|"]

    def steps(m: dict | None) -> str:
        if not _ok(m) or not m.get("steps"):
            return "–"
        return ", ".join(f"{k} {_s(v)}" for k, v in m["steps"].items())

    for n, entry in results.get("memory", {}).items():
        lines.append(
            f"| records in memory → ranking | {_teams(n)} | {steps(entry['engine'])} | {steps(entry['reference'])} |"
        )
    for n, by_format in results.get("files", {}).items():
        for fmt, entry in by_format.items():
            if "skipped" not in entry and _ok(entry.get("reference")):
                lines.append(
                    f"| {fmt} file → results file | {_teams(n)} | {steps(entry.get('engine'))} | {steps(entry['reference'])} |"
                )
    return lines


def _profile_tables(results: dict) -> list[str]:
    lines: list[str] = []
    for label, prof in results.get("profiles", {}).items():
        lines += ["", f"**{label}**, {_teams(prof['teams'])} teams, under cProfile:"]
        if "own" not in prof:
            lines += ["", f"**{prof.get('note', prof.get('status'))}**"]
            continue
        steps = ", ".join(f"{k} {_s(v)}" for k, v in prof.get("steps", {}).items())
        lines += [
            f"{_s(prof['seconds'])} in all ({steps}).",
            "",
            "| most time of their own | calls | own | | the engine's, with callees | calls | cumulative |",
            "|---|---:|---:|---|---|---:|---:|",
        ]
        for own, cum in zip(prof["own"], prof["cumulative"], strict=False):
            lines.append(
                f"| `{own['function']}` | {own['calls']:,} | {_s(own['own'])} | |"
                f" `{cum['function']}` | {cum['calls']:,} | {_s(cum['cumulative'])} |"
            )
    return lines


def _engine_only_table(results: dict) -> list[str]:
    lines = [
        "| teams | reference (records in memory) | engine: compile + score + rank | × reference | fact set | (engine + fact set) × reference | same engine again | × reference | explained assessment, per team | same results |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for n, m in results.get("engine_only", {}).items():
        ref = results.get("memory", {}).get(n, {}).get("reference")
        if not _ok(m):
            lines.append(f"| {_teams(n)} | {_time_cell(ref)} | {_time_cell(m)} | | | | | | | |")
            continue
        r = ref["wall"] if _ok(ref) else None
        lines.append(
            f"| {_teams(n)} | {_time_cell(ref)} | {_s(m['wall'])}{_runs(m)} | {_x(m['wall'], r)} | {_s(m.get('factset'))} |"
            f" {_x(m['wall'] + m.get('factset', 0), r)} | {_s(m.get('again'))} | {_x(m.get('again'), r)} |"
            f" {m.get('explain_per_team_ms', 0):.3f} ms | {_same_cell(m)} |"
        )
    return lines


def _sizes_table(results: dict) -> list[str]:
    lines = [
        "| file | teams | facts file | engine's results file | reference's results file |",
        "|---|---:|---:|---:|---:|",
    ]

    def out(m: dict | None) -> str:
        return _bytes(m.get("output", {}).get("bytes")) if _ok(m) else "–"

    for n, by_format in results.get("files", {}).items():
        for fmt, e in by_format.items():
            if "input" in e:
                lines.append(
                    f"| {fmt} → {fmt} | {_teams(n)} | {_bytes(e['input'].get('bytes'))} | {out(e.get('engine'))} | {out(e.get('reference'))} |"
                )
    for n, by_job in results.get("cli", {}).items():
        for job, e in by_job.items():
            if "input" in e:
                lines.append(
                    f"| `{job}` | {_teams(n)} | {_bytes(e['input'].get('bytes'))} | {out(e.get('engine'))} | {out(e.get('reference'))} |"
                )
    return lines


def _linearity_table(results: dict) -> list[str]:
    lines = [
        "| teams | engine | per team | engine peak memory | per team | reference | per team | reference peak memory | per team |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in linearity(results):
        eng = r["engine"]
        lines.append(
            f"| {r['n']:,} | {_time_cell(eng)} | {r['us_per_team']:.0f} µs |"
            if "us_per_team" in r
            else f"| {r['n']:,} | {_time_cell(eng)} | – |"
        )
        lines[-1] += (
            f" {_mb(eng['maxrss_mb'])} | {r['kb_per_team']:.1f} KB |"
            if "kb_per_team" in r
            else " – | – |"
        ) + (
            f" {_s(r['reference']['wall'])} | {r['ref_us_per_team']:.0f} µs | {_mb(r['reference']['maxrss_mb'])} | {r['ref_kb_per_team']:.1f} KB |"
            if "ref_us_per_team" in r
            else " – | – | – | – |"
        )
    return lines


def _variants_table(results: dict) -> list[str]:
    lines = []
    for n, entry in results.get("memory", {}).items():
        for name, m in entry.get("variants", {}).items():
            if not lines:
                lines = [
                    "| way to build the facts | teams | engine | × reference | peak memory | same results |",
                    "|---|---:|---:|---:|---:|:---:|",
                ]
                head = entry["engine"]
                lines.append(
                    f"| {entry['builder']} (headline): {entry['builder_description']} | {_teams(n)} | {_time_cell(head)} |"
                    f" {_x(head.get('wall'), entry['reference'].get('wall')) if _ok(head) else '–'} | {_mb(head.get('maxrss_mb'))} | {_same_cell(head)} |"
                )
            lines.append(
                f"| {name}: {m['description']} | {_teams(n)} | {_time_cell(m)} | {_x(m.get('wall'), entry['reference'].get('wall')) if _ok(m) else '–'} |"
                f" {_mb(m.get('maxrss_mb'))} | {_same_cell(m)} |"
            )
    return lines


def mismatches(results: dict) -> list[str]:
    """The paths whose results differ from the reference's."""
    wrong = [
        f"{label} at {_teams(n)} teams"
        for label, n, eng, _ in headline_rows(results)
        if same(eng) is False
    ]
    wrong += [
        f"reference's {label} at {_teams(n)} teams"
        for label, n, _, ref in headline_rows(results)
        if same(ref) is False
    ]
    wrong += [
        f"engine only at {_teams(n)} teams"
        for n, m in results.get("engine_only", {}).items()
        if same(m) is False
    ]
    for n, entry in results.get("memory", {}).items():
        wrong += [
            f"builder {b} at {_teams(n)} teams"
            for b, m in entry.get("variants", {}).items()
            if same(m) is False
        ]
    return wrong


def render(results: dict) -> str:
    s = results["settings"]
    inc = results.get("incremental")
    lines = [
        "# Performance",
        "",
        "What a user waits for, end to end — from their records or files to the results written",
        "out — each beside the plain-Python reference doing the same job in the same run. Generated",
        "by `bench/run.py` (`nox -s bench`) from `bench/results.json`; do not edit by hand.",
        "",
        "The workload is the shared one: N teams × ~40 facts (members, activities, achievements,",
        "metrics, rare incidents) and a 12-indicator rubric over three dimensions with a bonus, a veto,",
        "grade bands and ranking (`bench/workload.py`, `bench/workload_plugin.py`); the reference is",
        "`bench/reference.py`, plain loops over dicts — the speed limit for this workload.",
        "",
        "## What users wait for",
        "",
        *_headline_table(results),
        "",
        "*Engine* and *reference* are wall times of the whole job (median of the runs; fewer than",
        "three runs are marked); *peak memory* is the process's maximum resident size. A child is",
        f"stopped after {s['timeout']:.0f} s or at {s['max_rss_mb']:,.0f} MB resident, and that is what the table says.",
        "",
        "## Targets",
        "",
        "| target (at 100,000 teams) | result |",
        "|---|---|",
        *(f"| {t} | {v} |" for t, v in targets(results)),
        "",
        *(
            [
                "What bounds each unmet time target, at the size above: every engine step as a",
                "multiple of the reference's whole job, and the steps that remain even if the facts",
                "were built (or read) for free.",
                "",
                *bounds(results),
                "",
            ]
            if bounds(results)
            else []
        ),
        "## Where the time goes",
        "",
        "Each job's own steps (medians), as timed inside its process:",
        "",
        *_steps_table(results),
        *(
            [
                "",
                "By function (`bench/profiling.py`; cProfile inflates times, about ×1.5–2, so these",
                "rank costs and are no measurement):",
                *_profile_tables(results),
            ]
            if results.get("profiles")
            else []
        ),
        "",
        "## Linearity (records in memory → ranking)",
        "",
        *_linearity_table(results),
        "",
        f"Linear means each larger size's per-team time and memory within ×{TOLERANCE} of the"
        " smallest's, on their own or after the reference's own per-team change between the same"
        " sizes in the same run (plain loops over dicts also slow per team once the data"
        " outgrows the processor's caches).",
        "",
        "## Secondary figures",
        "",
        "### The engine alone",
        "",
        "Compile + score + rank on an existing `FactSet` of typed facts (built before the clock",
        "starts): building the engine from the plugin, assessing every team with explanations",
        "recorded, ranking, reading every ranking row. *Fact set* is building the `FactSet` from",
        "typed facts; *same engine again* a second `assess` of the same facts by the same engine;",
        "*explained assessment* building one team's full assessment and its text.",
        "",
        *_engine_only_table(results),
        "",
    ]
    if inc:
        if inc.get("status") == "ok":
            lines += [
                f"One-fact incremental re-assessment at {_teams(inc['teams'])} teams ({inc['operations']} add/retract):"
                f" median {inc['median_ms']:.3f} ms, 90th percentile {inc['p90_ms']:.3f} ms (target < 1 ms:"
                f" {'met' if inc['median_ms'] < 1 else 'not met'}).",
                "",
            ]
        else:
            lines += [f"One-fact incremental re-assessment: **{inc.get('note')}**.", ""]
    variants = _variants_table(results)
    if variants:
        lines += ["### Other ways to build the facts from records", "", *variants, ""]
    lines += ["### File sizes", "", *_sizes_table(results), ""]
    lines += [
        "## Method",
        "",
        "- Every measurement is a fresh process: `bench/jobs.py JOB` for the library paths, the",
        "  `assessment-engine` command itself for the command line, `bench/reference_cli.py` for the",
        f"  reference's command. Each is repeated and the median kept: up to {s['repeat']} runs, stopping",
        f"  after a run that took over {s['long_after']:.0f} s in all (such a measurement shows its number of runs).",
        "- Library paths time the job inside the process, after its input exists: the records",
        "  generated in memory, or the facts file written (input files are written before, never",
        "  timed). Command-line paths time the whole process, interpreter start-up included.",
        "- Peak memory: `ru_maxrss` of the process — read by the job itself when its work is done",
        "  (before any check), or by `os.wait4` for a command.",
        "- Records in memory → ranking: the workload's dicts → the engine's typed facts through the",
        "  public API → `Engine.assess` → every ranking row read; the reference scores the same dicts.",
        "- A facts file → a results file: `engine.load_facts(path)` → `assess` → `report.to_json()`",
        "  written (JSON), or the ranking rows written with the format's library (CSV, XLSX, Parquet:",
        "  the public API writes those only through the command line); the reference reads the same",
        "  file with `json` / `csv` / openpyxl / pyarrow, scores it, writes its rows in the same format.",
        "  The engine's JSON results are the full report — every team's assessment with its",
        "  explanation, what `evaluate --format json` writes too — and the reference's its ranking",
        "  rows: the same job as each is asked for, not the same bytes (see the file sizes).",
        "  A format the engine's loader refuses is reported *not supported yet* (found out by trying).",
        "- Command line: `assessment-engine evaluate FACTS --format csv|json -o OUT`,",
        "  `evaluate FACTS.xlsx --format xlsx -o OUT`, `report FACTS --html OUT`, with the workload's rule",
        "  set as `--no-entry-points --plugin bench/workload_plugin.py`; the reference's script reads",
        "  the same file and writes the ranking in the same format (its HTML page is the ranking table).",
        "- Results are checked on every path: each output file is read back in another process and",
        "  its rows' digest (team, total, three dimension scores, grade, rank) compared with the",
        "  reference's on the same teams. A path whose results differ is marked **differ**.",
        "- Absolute times move by up to 25 % between runs on these machines (2 cores, shared);",
        "  ratios within one run move about 15 %.",
        "",
        "## How to run it",
        "",
        "```sh",
        "nox -s bench                        # every part at 10,000 and 100,000 teams (see the note)",
        "nox -s bench -- --help              # the options",
        "nox -s bench -- --parts memory --sizes 1000000 --repeat 1 --merge --max-rss-mb 21000  # add 1 M teams (17.5 GB)",
        "nox -s bench -- --parts files --formats xlsx --xlsx-max 100000 --sizes 100000 --merge",
        "nox -s bench -- --parts cli --cli 'report → HTML' --sizes 10000 --output /tmp/p.md --results /tmp/p.json",
        "nox -s bench -- --parts engine      # the engine-only figures and the incremental one",
        "nox -s bench -- --render            # this page again from bench/results.json",
        "python bench/profiling.py /tmp/p.json file-engine json facts.json out.json   # one profile",
        "python bench/jobs.py memory-engine 10000 fact-classes     # one job, its JSON line",
        "```",
        "",
        "`--parts` picks memory, files, cli, engine, profile; `--sizes` the team counts; `--merge`",
        "adds a run's sizes to `bench/results.json` rather than replacing it, so the long opt-in",
        "parts (1 M teams, XLSX beyond 10,000) can be measured on their own and join the page.",
        "The default run took "
        + (
            f"{results['elapsed_s'] / 60:.0f} minutes"
            if results.get("elapsed_s")
            else "about 40–60 minutes"
        )
        + " here, most of it the 100,000-team files and commands.",
        "",
        "## Machine",
        "",
        f"{results['machine']['description']}; matcher `{s['matcher']}`; measured {results['date']}.",
        "",
        *(f"- {note}" for note in results.get("notes", [])),
    ]
    if results.get("notes"):
        lines.append("")
    return "\n".join(lines)
