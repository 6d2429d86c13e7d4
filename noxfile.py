"""Sessions: tests on 3.11/3.12/3.13, lint, typing, docs, browser, ledger_pg, install (default);
demo, bench, slow.

durable-rules 2.0.28 is sdist-only and compiles on install. On Python 3.13 it only builds
with ``CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject``, and pip must not reuse a wheel it
built earlier without that define, hence ``PIP_NO_CACHE_DIR=1``. Every install below carries
both (harmless on 3.11 and 3.12).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import nox

ROOT = pathlib.Path(__file__).parent
PYTHONS = ["3.11", "3.12", "3.13"]
DR_BUILD_ENV = {
    "CPPFLAGS": "-DPyEval_CallObject=PyObject_CallObject",
    "PIP_NO_CACHE_DIR": "1",
}
#: The plugin distributions in plugins/, installed with the engine like any third party's.
PLUGINS = sorted(str(p.parent.relative_to(ROOT)) for p in ROOT.glob("plugins/*/pyproject.toml"))

nox.options.sessions = ["tests", "lint", "typing", "docs", "browser", "ledger_pg", "install"]
nox.options.reuse_existing_virtualenvs = True


def _expose_pyenv_pythons() -> None:
    """Let nox find pythonX.Y when pyenv manages several versions (its shims need PYENV_VERSION)."""
    if os.environ.get("PYENV_VERSION") or not shutil.which("pyenv"):
        return
    try:
        out = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return
    installed = [v.strip() for v in out.splitlines() if v.strip()]
    chosen = []
    for wanted in PYTHONS:
        matches = sorted(
            (v for v in installed if v == wanted or v.startswith(wanted + ".")),
            key=lambda v: [int(x) if x.isdigit() else 0 for x in v.split(".")],
        )
        if matches:
            chosen.append(matches[-1])
    if chosen:
        os.environ["PYENV_VERSION"] = ":".join(chosen)


_expose_pyenv_pythons()


def _install(session: nox.Session, *extras: str) -> None:
    spec = f".[{','.join(extras)}]" if extras else "."
    args = ["-e", spec]
    for plugin in PLUGINS:
        args += ["-e", plugin]
    session.install(*args, env=DR_BUILD_ENV)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite (with the docs' executed examples) on one Python version."""
    _install(session, "test", "cli")
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def slow(session: nox.Session) -> None:
    """The long runs (on demand): 1000-example property runs of the built-in rule sets on both
    matchers, the long matcher-agreement and durable-envelope runs (``-m slow``)."""
    _install(session, "test", "cli")
    session.run("pytest", "-m", "slow", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff==0.17.6")
    paths = ["src", "tests", "bench", "plugins", "examples", "conftest.py", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session(python="3.11")
def typing(session: nox.Session) -> None:
    """mypy --strict on the library and the plugin distributions."""
    _install(session, "test", "cli")
    session.install("mypy==2.4.1")
    session.run("mypy", "src", *(f"{p}/src" for p in PLUGINS))


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Execute every example in docs/ and check the hook reference against hookspecs.py."""
    _install(session, "test", "cli")
    session.run(
        "pytest",
        "tests/test_docs.py",
        "tests/test_ledger_docs.py",
        "tests/test_scenarios_docs.py",
        "-q",
        *session.posargs,
    )


@nox.session(python="3.11")
def api(session: nox.Session) -> None:
    """The API reference (docs/api: Sphinx autodoc, offline, nitpicky, warnings as errors).

    Not yet in the default sessions: the reference still has warnings to fix (see
    docs/api/conf.py's checks); ``nox -s api`` lists them.
    """
    _install(session, "test", "cli")
    session.install("sphinx>=7.2")
    session.run(
        "sphinx-build",
        "-W",
        "-n",
        "--keep-going",
        "-q",
        "-b",
        "html",
        "docs/api",
        "docs/api/_build/html",
    )


#: The browser the HTML report's browser tests drive, and a CJK font for its Chinese labels:
#: Debian's packages chromium and fonts-noto-cjk (Playwright's own browser download is not used).
CHROMIUM = "/usr/bin/chromium"
NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


@nox.session(python="3.11")
def browser(session: nox.Session) -> None:
    """The HTML report in real headless Chromium (installs Debian's chromium and CJK fonts)."""
    missing = [
        package
        for package, path in (("chromium", CHROMIUM), ("fonts-noto-cjk", NOTO_CJK))
        if not os.path.exists(path)
    ]
    if missing:
        if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
            session.error(
                f"the browser tests need {' and '.join(missing)} ({CHROMIUM}, {NOTO_CJK}):"
                " this session installs them with apt-get as root; install them yourself"
                " (Debian: apt-get install chromium fonts-noto-cjk) or run it as root"
            )
        apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run_install("apt-get", "update", "-q", external=True, env=apt_env)
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
        session.run_install(*install, external=True, env=apt_env)
    _install(session, "test", "cli", "browser")
    session.env["ASSESSMENT_ENGINE_REQUIRE_BROWSER"] = "1"
    # the HTML report's screenshots in docs/images are made by this session
    session.env["ASSESSMENT_ENGINE_SCREENSHOT"] = str(ROOT / "docs" / "images" / "report.png")
    session.run("pytest", "-m", "browser", *session.posargs)


#: Debian's PostgreSQL server programs (initdb, pg_ctl), which the ledger's tests start a
#: throwaway cluster with.
POSTGRES_BIN = "/usr/lib/postgresql"


@nox.session(python="3.11")
def ledger_pg(session: nox.Session) -> None:
    """The ledger's tests with PostgreSQL required (installs Debian's postgresql as root)."""
    have_server = any(pathlib.Path(POSTGRES_BIN).glob("*/bin/initdb"))
    if not have_server and not os.environ.get("ASSESSMENT_ENGINE_POSTGRES_URL"):
        if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
            session.error(
                "the ledger's PostgreSQL tests need Debian's postgresql package"
                f" ({POSTGRES_BIN}/*/bin/initdb): this session installs it with apt-get as root;"
                " install it yourself (apt-get install postgresql), run it as root, or set"
                " ASSESSMENT_ENGINE_POSTGRES_URL to a server the tests may create databases on"
            )
        apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run_install("apt-get", "update", "-q", external=True, env=apt_env)
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"]
        session.run_install(*install, external=True, env=apt_env)
    _install(session, "test", "cli")
    session.env["ASSESSMENT_ENGINE_REQUIRE_POSTGRES"] = "1"
    session.run(
        "pytest", "tests/test_ledger_store.py", "tests/test_ledger_files.py", "-q", *session.posargs
    )


@nox.session(python="3.13")
def install(session: nox.Session) -> None:
    """The documented install in fresh virtual environments: the first hour of
    docs/getting-started.md run as written (a non-editable install from the clone, every
    command), the rule sets from an index with one name, and the 3.13 rebuild message (the
    command it prints must work). A few minutes; tests/test_install.py."""
    _install(session, "test")
    session.env["ASSESSMENT_ENGINE_INSTALL_TESTS"] = "1"
    session.run("pytest", "tests/test_install.py", "-q", *session.posargs)


@nox.session(python="3.11")
def demo(session: nox.Session) -> None:
    """The main job: assess the example institute and print the ranking and one explanation.

    ``nox -s demo -- examples/institute-2023.json --team food-chem`` passes arguments on.
    """
    _install(session)
    session.install("rich>=13")
    session.run("python", "examples/demo.py", *session.posargs)


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """The end-to-end benchmark against the plain-Python reference; writes docs/performance.md.

    The cli extra brings openpyxl (XLSX files) and the command line; pyarrow is the reference's
    Parquet reader and writer. ``nox -s bench -- --help`` lists the options (parts, sizes).
    """
    _install(session, "cli")
    session.install("pyarrow>=14")
    session.run("python", "bench/check_workload.py")
    session.run("python", "bench/run.py", *session.posargs)
