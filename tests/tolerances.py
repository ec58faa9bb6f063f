"""The agreement the Part II functions promise with PyTorch and TensorFlow (issue 3):
1e-6 in float32 and 1e-12 in float64, checked together with the dtype they return."""

import numpy as np

TOL = {np.float32: 1e-6, np.float64: 1e-12}
DTYPES = [np.float32, np.float64]


def close(actual, expected, dtype):
    """Assert ``actual`` has ``dtype`` and matches ``expected`` within that dtype's tolerance."""
    assert actual.dtype == dtype
    np.testing.assert_allclose(actual, expected, rtol=TOL[dtype], atol=TOL[dtype])
