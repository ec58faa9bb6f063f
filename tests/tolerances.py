"""The agreement every unit test checks, defined once, and the one comparison that checks it.

Two levels, by what is compared:

- ``CORE``: xentlib's own functions against closed forms, PyTorch and TensorFlow on the same
  input: 1e-6 in float32 and 1e-12 in float64.
- ``MIRROR``: the framework mirrors (``keras_api``, ``tf_api``, ``torch_api``) against the
  frameworks' own kernels, which sum in other orders and clip or upcast along the way: 1e-5 in
  float32 and 1e-10 in float64.

Both are relative tolerances, with an absolute floor of the same size times ``scale``: a loss
computed as ``LSE(x) - x_y`` cancels to within a few ulps of ``|x|``, so a loss near 0 from logits
of size ``scale`` cannot be closer than that.
"""

import numpy as np

CORE = {np.float32: 1e-6, np.float64: 1e-12}
MIRROR = {np.float32: 1e-5, np.float64: 1e-10}
DTYPES = [np.float32, np.float64]


def _numpy(value):
    """A NumPy view of a framework tensor (torch, TensorFlow) or of anything array-like."""
    if hasattr(value, "detach"):  # torch
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy"):  # TensorFlow
        value = value.numpy()
    return np.asarray(value)


def assert_close(actual, expected, dtype, level=CORE, scale=1.0, check_dtype=True):
    """Assert ``actual`` matches ``expected`` within ``level[dtype]``, with the dtype and shape.

    Parameters
    ----------
    actual, expected : array_like or framework tensor
        ``actual`` is xentlib's result; ``expected`` the closed form or the framework's.
    dtype : numpy float type
        The dtype of the computation; ``actual`` must have it when ``check_dtype`` is true.
    level : dict, default ``CORE``
        ``CORE`` or ``MIRROR``.
    scale : float, default 1.0
        Size of the inputs, for the absolute floor ``level[dtype] * max(1, scale)``.
    """
    actual, expected = _numpy(actual), _numpy(expected)
    dtype = np.dtype(dtype).type
    if check_dtype:
        assert actual.dtype == dtype, f"dtype {actual.dtype}, expected {np.dtype(dtype)}"
    assert actual.shape == expected.shape, f"shape {actual.shape}, expected {expected.shape}"
    tol = level[dtype]
    np.testing.assert_allclose(
        actual, expected, rtol=tol, atol=tol * max(1.0, scale), equal_nan=True
    )
