"""TensorFlow and PyTorch load in either order in one process (issue 10).

PyTorch's Linux wheels bring triton, whose library carries its own LLVM. TensorFlow's wrapper used
to publish its LLVM to every library loaded after it, and importing triton after TensorFlow then
crashed the process (a segmentation fault, a dead notebook kernel). Each order runs in a fresh
interpreter; on Linux x86-64 triton must be importable there, or this test could not see the crash.
"""

import importlib.util
import platform
import subprocess
import sys

import pytest

LOADS = {"tensorflow": "load_tensorflow()", "torch": "load_torch()"}
# after both loads, the import that crashed: triton's native library (where triton exists)
SCRIPT = """
import importlib.util
from xentlib.frameworks import load_tensorflow, load_torch
{first}
{second}
if importlib.util.find_spec("triton") is not None:
    import triton._C.libtriton
print("both loaded")
"""

ORDERS = [("tensorflow", "torch"), ("torch", "tensorflow")]


def test_triton_is_installed_where_pytorchs_wheels_bring_it():
    if platform.system() != "Linux" or platform.machine() != "x86_64":
        pytest.skip("PyTorch's wheels bring triton on Linux x86-64 only")
    assert importlib.util.find_spec("triton") is not None, (
        "triton is missing: requirements.txt pins it so this environment matches a Linux reader's"
    )


def test_both_load_orders_in_one_process():
    # the two fresh interpreters run side by side: each spends most of its time importing
    procs = {
        order: subprocess.Popen(
            [sys.executable, "-c", SCRIPT.format(first=LOADS[order[0]], second=LOADS[order[1]])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for order in ORDERS
    }
    for (first, second), proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and out.strip() == "both loaded", (
            f"{first} then {second}: exit code {proc.returncode}\n{out}{err[-2000:]}"
        )
