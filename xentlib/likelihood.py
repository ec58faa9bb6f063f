"""Likelihoods of the Bernoulli and categorical models, and their maximum-likelihood estimates.

Defined in :doc:`/chapters/01_likelihood`.
"""

import numpy as np

from ._checks import (
    as_class_indices,
    as_float_array,
    check_distribution,
    check_int,
    check_not_empty,
    check_probabilities,
    check_vector,
    check_zero_one,
)
from ._ops import xlogy


def _as_outcomes(outcomes):
    """0/1 observations as a flat float64 array, at least one."""
    x = as_float_array(outcomes, "outcomes").astype(np.float64).ravel()
    check_not_empty(x, "outcomes")
    check_zero_one(x, "outcomes")
    return x


def _as_theta(theta):
    """A probability, or an array of them, as float64."""
    theta = as_float_array(theta, "theta").astype(np.float64)
    check_probabilities(theta, "theta")
    return theta


def bernoulli_log_likelihood(theta, outcomes):
    r"""Log-likelihood of a coin's bias given independent 0/1 outcomes.

    .. math:: \ell(\theta) = k \log\theta + (n - k) \log(1 - \theta), \qquad k = \sum_i x_i

    with the convention :math:`0 \log 0 = 0`, so :math:`\ell(0) = 0` when no outcome is 1.

    Parameters
    ----------
    theta : float or array_like
        Probability of outcome 1, in [0, 1]; an array evaluates the curve at every entry.
    outcomes : array_like
        The observed 0/1 outcomes, at least one.

    Returns
    -------
    float or numpy.ndarray
        Same shape as ``theta`` (float64); ``-inf`` where the data are impossible.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If ``theta`` is outside [0, 1] or NaN, or ``outcomes`` is empty or holds values other
        than 0 and 1.

    References
    ----------
    :cite:t:`goodfellow2016`, sections 3.9.1-3.9.2 (the Bernoulli and multinoulli distributions) and 5.5
    (maximum likelihood estimation).

    See the chapter :doc:`/chapters/01_likelihood`.
    """
    return _bernoulli_log_likelihood(_as_theta(theta), _as_outcomes(outcomes))


def _bernoulli_log_likelihood(theta, outcomes):
    """The maths of :func:`bernoulli_log_likelihood`, without the argument checks."""
    n, k = outcomes.size, outcomes.sum()  # only the number of heads matters
    # xlogy: 0 log 0 = 0, so theta = 0 with no heads (or theta = 1 with no tails) gives 0
    return (xlogy(k, theta) + xlogy(n - k, 1 - theta))[()]


def bernoulli_likelihood(theta, outcomes):
    r"""Likelihood of a coin's bias given independent 0/1 outcomes.

    .. math:: L(\theta) = \prod_{i=1}^{n} \theta^{x_i} (1 - \theta)^{1 - x_i}
              = \theta^{k} (1 - \theta)^{n - k}

    Parameters
    ----------
    theta : float or array_like
        Probability of outcome 1, in [0, 1]; an array evaluates the curve at every entry.
    outcomes : array_like
        The observed 0/1 outcomes, at least one.

    Returns
    -------
    float or numpy.ndarray
        Same shape as ``theta`` (float64). For a long sequence the product underflows to 0:
        work with :func:`bernoulli_log_likelihood` instead.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If ``theta`` is outside [0, 1] or NaN, or ``outcomes`` is empty or not 0/1.

    References
    ----------
    :cite:t:`goodfellow2016`, sections 3.9.1-3.9.2 (the Bernoulli and multinoulli distributions) and 5.5
    (maximum likelihood estimation).

    See the chapter :doc:`/chapters/01_likelihood`.
    """
    return _bernoulli_likelihood(_as_theta(theta), _as_outcomes(outcomes))


def _bernoulli_likelihood(theta, outcomes):
    """The maths of :func:`bernoulli_likelihood`, without the argument checks."""
    n, k = outcomes.size, outcomes.sum()
    return (theta**k * (1 - theta) ** (n - k))[()]


def bernoulli_mle(outcomes):
    r"""Maximum-likelihood estimate of a coin's bias: the fraction of ones.

    .. math:: \hat\theta = \frac{k}{n} = \frac{1}{n} \sum_{i=1}^{n} x_i

    Parameters
    ----------
    outcomes : array_like
        The observed 0/1 outcomes, at least one.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``outcomes`` is not real-valued.
    ValueError
        If ``outcomes`` is empty or holds values other than 0 and 1.

    References
    ----------
    :cite:t:`goodfellow2016`, sections 3.9.1-3.9.2 (the Bernoulli and multinoulli distributions) and 5.5
    (maximum likelihood estimation).

    See the chapter :doc:`/chapters/01_likelihood`.
    """
    return _bernoulli_mle(_as_outcomes(outcomes))


def _bernoulli_mle(outcomes):
    """The maths of :func:`bernoulli_mle`, without the argument checks."""
    return float(outcomes.mean())


def categorical_log_likelihood(probs, targets):
    r"""Log-likelihood of a categorical distribution given observed class indices.

    .. math:: \ell(\pi) = \sum_{i=1}^{n} \log \pi_{y_i} = \sum_{c=1}^{C} n_c \log \pi_c

    Parameters
    ----------
    probs : array_like, shape (C,)
        Class probabilities, non-negative and summing to 1.
    targets : array_like of int
        Observed class indices in ``[0, C)``, any shape.

    Returns
    -------
    float
        ``-inf`` if an observed class has probability 0.

    Raises
    ------
    TypeError
        If ``probs`` is not real-valued or ``targets`` is not integer.
    ValueError
        If ``probs`` is not one-dimensional, not a distribution, or ``targets`` is out of range.

    References
    ----------
    :cite:t:`goodfellow2016`, sections 3.9.1-3.9.2 (the Bernoulli and multinoulli distributions) and 5.5
    (maximum likelihood estimation).

    See the chapter :doc:`/chapters/01_likelihood`.
    """
    probs = as_float_array(probs, "probs").astype(np.float64)
    check_vector(probs, "probs")
    check_distribution(probs, "probs")
    targets = as_class_indices(targets, probs.size)
    return _categorical_log_likelihood(probs, targets)


def _categorical_log_likelihood(probs, targets):
    """The maths of :func:`categorical_log_likelihood`, without the argument checks."""
    counts = np.bincount(targets.ravel(), minlength=probs.size)  # n_c, how often class c occurred
    return float(xlogy(counts, probs).sum())  # 0 log 0 = 0: an unseen class costs nothing


def categorical_mle(targets, num_classes):
    r"""Maximum-likelihood class probabilities: the class frequencies.

    .. math:: \hat\pi_c = \frac{n_c}{n}

    Parameters
    ----------
    targets : array_like of int
        Observed class indices in ``[0, num_classes)``, at least one.
    num_classes : int
        Number of classes :math:`C`.

    Returns
    -------
    numpy.ndarray, shape (num_classes,)
        float64 frequencies summing to 1.

    Raises
    ------
    TypeError
        If ``targets`` is not integer or ``num_classes`` is not an int.
    ValueError
        If ``num_classes`` < 1, ``targets`` is empty or out of range.

    References
    ----------
    :cite:t:`goodfellow2016`, sections 3.9.1-3.9.2 (the Bernoulli and multinoulli distributions) and 5.5
    (maximum likelihood estimation).

    See the chapter :doc:`/chapters/01_likelihood`.
    """
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    targets = as_class_indices(targets, num_classes)
    check_not_empty(targets, "targets")
    return _categorical_mle(targets, num_classes)


def _categorical_mle(targets, num_classes):
    """The maths of :func:`categorical_mle`, without the argument checks."""
    counts = np.bincount(targets.ravel(), minlength=num_classes)
    return counts / targets.size
