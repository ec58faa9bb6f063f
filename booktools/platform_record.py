"""Where a notebook's outputs were made: the things that can change a printed last digit.

The refresh command stores :func:`platform_record` in each notebook's metadata; the comparison
plugin (:mod:`booktools.nbcompare`) compares it with the running platform to decide whether the
outputs can be expected digit for digit. Everything here is read without importing TensorFlow.
"""

import importlib.metadata
import platform

# the packages whose kernels or printing decide the chapters' numbers
VERSIONED = ("numpy", "torch", "tensorflow", "tensorflow-cpu", "keras", "ml-dtypes", "matplotlib")


def numpy_simd():
    """NumPy's SIMD level in use: the highest dispatch target this CPU enables, else the baseline.

    ``NPY_DISABLE_CPU_FEATURES`` lowers it, which is how CI simulates an older CPU.
    """
    from numpy._core import _multiarray_umath as umath

    enabled = [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)]
    return (enabled or umath.__cpu_baseline__ or ["none"])[-1]


def torch_cpu_capability():
    """PyTorch's CPU kernel level (``AVX2``, ``AVX512``, ``DEFAULT``...), or None without torch.

    ``ATEN_CPU_CAPABILITY=default`` selects the scalar kernels.
    """
    try:
        import torch
    except ImportError:
        return None
    return torch.backends.cpu.get_cpu_capability()


def _version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def platform_record():
    """The running platform, as a JSON-ready dict of strings (or None where a package is absent)."""
    return {
        "os": platform.system(),
        "machine": platform.machine(),
        "python": ".".join(platform.python_version_tuple()[:2]),
        "numpy_simd": numpy_simd(),
        "torch_cpu_capability": torch_cpu_capability(),
        "versions": {name: _version(name) for name in VERSIONED},
    }


def differences(stored, current):
    """The keys on which two records differ, as ``"key: stored -> current"`` lines."""
    lines = []
    for key in sorted(set(stored) | set(current)):
        a, b = stored.get(key), current.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            lines += [f"{key}.{line}" for line in differences(a, b)]
        elif a != b:
            lines.append(f"{key}: {a} -> {b}")
    return lines
