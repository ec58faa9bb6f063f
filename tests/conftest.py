"""Shared fixtures: the framework modules (imported quietly, once) and the built book."""

import os
import pathlib
import re
import subprocess
import sys

import pytest
from filelock import FileLock

pytest_plugins = ["pytester"]  # tests/test_nbcompare.py runs the notebook plugin end to end

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def torch():
    from xentlib.frameworks import load_torch

    return load_torch()


@pytest.fixture(scope="session")
def tf_keras():
    from xentlib.frameworks import load_tensorflow

    return load_tensorflow()


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """Build the book's three editions once per test run with warnings as errors; return the
    HTML folder (English at its root, the translations in ``zh_CN/`` and ``ja/``).

    With pytest-xdist's workers, the first worker to need the book builds it under a lock in the
    run's shared temporary folder and the others use that build (or its failure). Set
    XENT_BUILT_BOOK to the HTML folder of an existing build to test that instead (handy while
    working on the tests themselves; CI leaves it unset and always builds).
    """
    existing = os.environ.get("XENT_BUILT_BOOK")
    if existing:
        html = pathlib.Path(existing)
        if not (html / "index.html").is_file():
            pytest.fail(f"XENT_BUILT_BOOK={existing} holds no built book (no index.html)")
        return html
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, failure = shared / "book", shared / "book-build-failed.txt"
    with FileLock(str(shared / "book.lock")):
        if not failure.exists() and not (out / "_build" / "html" / "index.html").is_file():
            _build_book(out, failure)
    if failure.exists():
        pytest.fail(failure.read_text(), pytrace=False)
    return out / "_build" / "html"


def _build_book(out, failure):
    """The README's build command (every edition, warnings as errors) into ``out/_build``; on
    failure write the warnings to ``failure``."""
    cmd = [sys.executable, "-m", "booktools.editions", "--build-dir", str(out / "_build")]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        log = proc.stdout + proc.stderr
        out.mkdir(parents=True, exist_ok=True)
        (out / "build.log").write_text(log)
        problems = [
            line for line in log.splitlines() if re.search(r"WARNING|ERROR|Error|Exception", line)
        ]
        failure.write_text(
            f"python -m booktools.editions failed (full log in {out / 'build.log'}):\n"
            + "\n".join(problems[-40:] or log.splitlines()[-40:])
        )


def pytest_terminal_summary(terminalreporter):
    """List the browser navigations that timed out once and passed on their retry."""
    retried = [
        (report.nodeid, value)
        for report in terminalreporter.getreports("passed")
        for name, value in report.user_properties
        if name == "navigation retried"
    ]
    if retried:
        terminalreporter.section("browser navigations retried after a timeout")
        for nodeid, value in retried:
            terminalreporter.line(f"{nodeid}: {value}")
