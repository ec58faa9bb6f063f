"""ruff, configured in pyproject.toml, is clean on the library, the book tooling and the tests (lint and format).

The same checks run as pre-commit hooks (.pre-commit-config.yaml, pinned to the same ruff)."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGETS = ["xentlib", "booktools", "tests"]


@pytest.mark.parametrize(
    "command",
    [["check", "--no-cache"], ["format", "--check", "--no-cache"]],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(command):
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *TARGETS],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, f"ruff {' '.join(command)}:\n{proc.stdout}{proc.stderr}"


def test_pre_commit_pins_the_installed_ruff():
    from importlib.metadata import version

    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert f"rev: v{version('ruff')}" in config, (
        "pre-commit's ruff rev differs from the installed ruff"
    )
