"""Small numerical building blocks shared by the xentlib modules."""

import numpy as np


def xlogy(x, y):
    """``x * log(y)`` elementwise, with ``0 * log(y) = 0`` for every ``y``, ``0`` included."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


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
