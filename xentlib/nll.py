"""Negative log-likelihood of class indices, from log-probabilities or from logits.

Defined in :doc:`/chapters/02_negative_log_likelihood`.
"""

import numpy as np

from ._checks import (
    as_class_indices,
    as_float_array,
    check_logits,
    check_no_nan,
    check_reduction,
)
from ._ops import reduce
from .softmax import log_softmax


def negative_log_likelihood(log_probs, targets, reduction="mean"):
    r"""Negative log-likelihood of integer class targets under given log-probabilities.

    .. math:: \mathrm{NLL} = -\frac{1}{N} \sum_{i=1}^{N} \log p_{i, y_i}

    The function picks one entry per sample, the log-probability of its target class, and
    negates it: the same computation as ``torch.nn.NLLLoss``. Unlike that class it checks that
    the input really is a table of log-probabilities (no entry above 0), so probabilities passed
    by mistake raise instead of returning a meaningless number.

    Parameters
    ----------
    log_probs : array_like, shape (..., C)
        Log-probabilities, class axis last: every entry in ``[-inf, 0]``.
    targets : array_like of int, shape (...)
        Class indices in ``[0, C)``, one per row of ``log_probs``
        (shape ``log_probs.shape[:-1]``).
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns the per-sample losses; ``"mean"`` of an empty batch is ``nan``.

    Returns
    -------
    numpy.ndarray or numpy.floating
        Per-sample losses of shape ``targets.shape`` for ``"none"``, otherwise a scalar;
        float32 for float32 input, float64 otherwise.

    Raises
    ------
    TypeError
        If ``log_probs`` is not real-valued or ``targets`` is not integer.
    ValueError
        If ``log_probs`` is a scalar, contains NaN or positive values, ``targets`` has the wrong
        shape or is out of range, or ``reduction`` is unknown.

    See the chapter :doc:`/chapters/02_negative_log_likelihood`.
    """
    check_reduction(reduction)
    log_probs = as_float_array(log_probs, "log_probs")
    if log_probs.ndim == 0:
        raise ValueError("log_probs must have a class axis (at least 1 dimension), got a scalar")
    check_no_nan(log_probs, "log_probs")
    if log_probs.size and log_probs.max() > 0:
        raise ValueError(
            "log_probs must hold log-probabilities (<= 0), got a maximum of "
            f"{log_probs.max():.6g}; pass log_softmax(logits), not probabilities or logits"
        )
    targets = as_class_indices(targets, log_probs.shape[-1])
    if targets.shape != log_probs.shape[:-1]:
        raise ValueError(
            f"targets must have shape log_probs.shape[:-1] = {log_probs.shape[:-1]}, "
            f"got {targets.shape}"
        )
    # pick the log-probability of each sample's target class
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]
    return reduce(0.0 - picked, reduction)  # 0 - x, not -x: no -0.0 for a certain prediction


def sparse_cross_entropy_with_logits(logits, targets, reduction="mean"):
    r"""Cross-entropy of integer class targets given unnormalised scores (logits).

    .. math:: \ell_i = -\log \operatorname{softmax}(z_i)_{y_i}
              = \log \sum_c e^{z_{i,c}} - z_{i, y_i}

    The negative log-likelihood of :func:`xentlib.log_softmax` of the logits: what
    ``torch.nn.CrossEntropyLoss`` and ``tf.nn.sparse_softmax_cross_entropy_with_logits``
    compute.

    Parameters
    ----------
    logits : array_like, shape (..., C)
        Unnormalised scores, class axis last; finite or ``-inf`` (a class that is ruled out).
    targets : array_like of int, shape (...)
        Class indices in ``[0, C)``, shape ``logits.shape[:-1]``.
    reduction : {"mean", "sum", "none"}, default "mean"
        As in :func:`negative_log_likelihood`.

    Returns
    -------
    numpy.ndarray or numpy.floating
        As in :func:`negative_log_likelihood`.

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued or ``targets`` is not integer.
    ValueError
        If ``logits`` is a scalar, contains NaN or ``+inf`` or a row that is all ``-inf``,
        ``targets`` has the wrong shape or is out of range, or ``reduction`` is unknown.

    See the chapter :doc:`/chapters/02_negative_log_likelihood`.
    """
    check_reduction(reduction)
    logits = as_float_array(logits, "logits")
    if logits.ndim == 0:
        raise ValueError("logits must have a class axis (at least 1 dimension), got a scalar")
    check_logits(logits, "logits", axis=-1)
    return negative_log_likelihood(log_softmax(logits, axis=-1), targets, reduction)
