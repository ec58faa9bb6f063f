"""Small numerical building blocks shared by the xentlib modules: one of each.

- :func:`zero_times` is the one convention for ``0 * anything``: a class with no probability
  mass contributes nothing, even where its other factor is infinite (``0 log 0 = 0``).
- :func:`xlogy` is ``x log y`` under that convention.
- :func:`positive_zero` is the one fix for ``-0.0``: a loss of a perfect prediction prints as
  ``0.0``, never ``-0.0``.
- :func:`reduce` applies the ``'none'`` / ``'sum'`` / ``'mean'`` reductions.
"""

import numpy as np


def zero_times(x, y):
    """``x * y`` elementwise, with ``0 * y = 0`` for every ``y``, ``inf`` and ``nan`` included."""
    with np.errstate(invalid="ignore"):
        return np.where(x == 0, 0, x * y)


def xlogy(x, y):
    """``x * log(y)`` elementwise, with ``0 * log(y) = 0`` for every ``y``, ``0`` included."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return zero_times(x, np.log(np.where(x == 0, 1, y)))


def positive_zero(x):
    """``x`` with every ``-0.0`` turned into ``+0.0`` (IEEE 754: ``-0.0 + 0.0 = +0.0``).

    Other values, their dtype and shape are unchanged; NumPy scalars stay scalars.
    """
    x = np.asarray(x)[()] if not isinstance(x, np.generic) else x
    return x + x.dtype.type(0)


def reduce(losses, reduction, denominator=None):
    """Apply a 'none' / 'sum' / 'mean' reduction to per-sample ``losses``, in their dtype.

    'mean' divides the sum by ``denominator`` (default: the number of losses); the mean of no
    losses is ``nan``, as in PyTorch. Callers validate ``reduction`` against what their API allows.
    """
    if reduction == "none":
        return losses
    total = losses.sum(dtype=losses.dtype)
    if reduction == "sum":
        return total
    if denominator is None:
        denominator = losses.size
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 is nan
        return (total / np.asarray(denominator, dtype=losses.dtype))[()]
