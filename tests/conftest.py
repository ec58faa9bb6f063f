"""Shared fixtures: the framework modules (imported quietly, once) and the built book."""

import pathlib
import subprocess
import sys

import pytest

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
    """Build the book once per session with warnings as errors; return the HTML folder."""
    out = tmp_path_factory.mktemp("book")
    jb = pathlib.Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "-W", "-n", "--keep-going",
           "--path-output", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        pytest.fail(f"jupyter-book build -W failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    return out / "_build" / "html"
