"""Negative log-likelihood of class indices, from log-probabilities or from logits.

Defined in :doc:`/chapters/02_negative_log_likelihood`.
"""

import numpy as np

from ._checks import (
    as_class_indices,
    as_float_array,
    check_class_axis,
    check_log_probabilities,
    check_logits,
    check_reduction,
)
from ._ops import positive_zero, reduce
from .softmax import _log_softmax


def _as_targets(targets, scores, scores_name):
    """Class indices, one per row of ``scores`` (the class axis last)."""
    targets = as_class_indices(targets, scores.shape[-1])
    if targets.shape != scores.shape[:-1]:
        raise ValueError(
            f"targets must have shape {scores_name}.shape[:-1] = {scores.shape[:-1]}, "
            f"got {targets.shape}"
        )
    return targets


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

    References
    ----------
    :cite:t:`goodfellow2016`, section 6.2.1.1 (learning conditional distributions with maximum
    likelihood); :cite:t:`pytorchdocs` (``nll_loss``).

    See the chapter :doc:`/chapters/02_negative_log_likelihood`.
    """
    check_reduction(reduction)
    log_probs = as_float_array(log_probs, "log_probs")
    check_class_axis(log_probs, "log_probs")
    check_log_probabilities(log_probs, "log_probs")
    targets = _as_targets(targets, log_probs, "log_probs")
    return _negative_log_likelihood(log_probs, targets, reduction)


def _negative_log_likelihood(log_probs, targets, reduction="mean"):
    """The maths of :func:`negative_log_likelihood`, without the argument checks."""
    # 1. pick the log-probability of each sample's target class
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]
    # 2. negate (+0.0, not -0.0, for a certain prediction), 3. reduce over the batch
    return reduce(positive_zero(-picked), reduction)


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

    References
    ----------
    :cite:t:`goodfellow2016`, section 6.2.2.3 (softmax units); :cite:t:`pytorchdocs`
    (``cross_entropy``); :cite:t:`tensorflowdocs` (``sparse_softmax_cross_entropy_with_logits``).

    See the chapter :doc:`/chapters/02_negative_log_likelihood`.
    """
    check_reduction(reduction)
    logits = as_float_array(logits, "logits")
    check_class_axis(logits, "logits")
    check_logits(logits, "logits", axis=-1)
    targets = _as_targets(targets, logits, "logits")
    return _sparse_cross_entropy_with_logits(logits, targets, reduction)


def _sparse_cross_entropy_with_logits(logits, targets, reduction="mean"):
    """The maths of :func:`sparse_cross_entropy_with_logits`, without the argument checks."""
    return _negative_log_likelihood(_log_softmax(logits, axis=-1), targets, reduction)
