"""Binary cross-entropy: from probabilities, from logits, and the Keras backend's clipped form.

Defined in :doc:`/chapters/04_binary_cross_entropy`.
"""

import numpy as np

from ._checks import as_float_array, check_bool, check_no_nan, check_probabilities, check_real
from ._ops import positive_zero, xlogy


def _as_pair(values, labels, values_name, labels_name="labels"):
    """Predictions and labels as float arrays of one broadcast shape and dtype.

    Integer or boolean labels take the dtype of the predictions, so float32 predictions with
    0/1 labels stay float32.
    """
    values = as_float_array(values, values_name)
    integer_labels = np.asarray(labels).dtype.kind in "biu"
    labels = as_float_array(labels, labels_name)
    if integer_labels:
        labels = labels.astype(values.dtype)
    dtype = np.result_type(labels, values)
    try:
        values, labels = np.broadcast_arrays(values.astype(dtype), labels.astype(dtype))
    except ValueError:
        raise ValueError(
            f"{values_name} and {labels_name} must broadcast to one shape, got {values.shape} and "
            f"{labels.shape}"
        ) from None
    check_probabilities(labels, labels_name)
    return values, labels


def binary_cross_entropy(probs, labels, eps=None):
    r"""Binary cross-entropy of predicted probabilities, element by element.

    .. math:: \ell(y, p) = -\bigl(y \log p + (1 - y) \log(1 - p)\bigr)

    with :math:`0 \log 0 = 0`. With ``eps`` the probabilities are first clipped to
    :math:`[\epsilon, 1 - \epsilon]` (in their own dtype), as Keras does.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities :math:`p` of the label 1, in [0, 1]; broadcast against ``labels``.
    labels : array_like
        Targets :math:`y` in [0, 1]: 0/1 labels or soft labels.
    eps : float, optional
        Clip ``probs`` to ``[eps, 1 - eps]`` first; must lie in (0, 0.5). ``None`` (the default)
        does not clip, so a certain wrong prediction costs ``inf``.

    Returns
    -------
    numpy.ndarray
        The per-element loss, in the broadcast shape; float32 when ``probs`` is float32 and the
        labels are float32 or integer, float64 otherwise.

    Raises
    ------
    TypeError
        If an argument is not real-valued, or ``eps`` is not a real number.
    ValueError
        If ``labels`` or ``probs`` leave [0, 1] or hold NaN, the shapes do not broadcast, or
        ``eps`` is outside (0, 0.5).

    References
    ----------
    :cite:t:`goodfellow2016`, section 6.2.2.2 (sigmoid units for Bernoulli output
    distributions); :cite:t:`kerasdocs` (the clip).

    See the chapter :doc:`/chapters/04_binary_cross_entropy`.
    """
    probs, labels = _as_pair(probs, labels, "probs")
    check_probabilities(probs, "probs")
    if eps is not None:
        eps = check_real(eps, "eps", 0, 0.5, bounds="()")
    return _binary_cross_entropy(probs, labels, eps)


def _binary_cross_entropy(probs, labels, eps=None):
    """The maths of :func:`binary_cross_entropy`, without the argument checks."""
    if eps is not None:
        # both bounds rounded to the dtype: float32 1 - 1e-7 is 0.99999988
        probs = np.clip(probs, probs.dtype.type(eps), 1 - probs.dtype.type(eps))
    return positive_zero(-(xlogy(labels, probs) + xlogy(1 - labels, 1 - probs)))


def binary_cross_entropy_with_logits(logits, labels):
    r"""Binary cross-entropy of a sigmoid output, computed from the logits without overflow.

    .. math:: \ell(y, z) = -\bigl(y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))\bigr)
              = \max(z, 0) - z y + \log\bigl(1 + e^{-|z|}\bigr)

    Parameters
    ----------
    logits : array_like
        Scores :math:`z` with :math:`P(y = 1) = \sigma(z)`; broadcast against ``labels``. Any
        finite value is fine.
    labels : array_like
        Targets :math:`y` in [0, 1].

    Returns
    -------
    numpy.ndarray
        The per-element loss, in the broadcast shape; float32 when ``logits`` is float32 and the
        labels are float32 or integer, float64 otherwise. Its derivative in ``logits`` is
        :math:`\sigma(z) - y`.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If ``labels`` leave [0, 1] or hold NaN, ``logits`` hold NaN, or the shapes do not
        broadcast.

    References
    ----------
    :cite:t:`goodfellow2016`, section 6.2.2.2; :cite:t:`tensorflowdocs`
    (``sigmoid_cross_entropy_with_logits``); :cite:t:`pytorchdocs`
    (``binary_cross_entropy_with_logits``).

    See the chapter :doc:`/chapters/04_binary_cross_entropy`.
    """
    logits, labels = _as_pair(logits, labels, "logits")
    check_no_nan(logits, "logits")
    return _binary_cross_entropy_with_logits(logits, labels)


def _binary_cross_entropy_with_logits(logits, labels):
    """The maths of :func:`binary_cross_entropy_with_logits`, without the argument checks."""
    # exp only ever sees -|z| <= 0, so nothing overflows and log1p keeps the small tail exact
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


def keras_legacy_binary_crossentropy(target, output, from_logits=False, epsilon=1e-7):
    r"""The Keras backend's binary cross-entropy as quoted from its NumPy reference backend.

    Probabilities are clipped to :math:`[\epsilon, 1 - \epsilon]`, turned back into logits
    :math:`z = \log\frac{p}{1 - p}`, and scored with the stable sigmoid cross-entropy:

    .. math:: p' = \operatorname{clip}(p, \epsilon, 1 - \epsilon), \quad
              \ell = \max(z, 0) - z y + \log\bigl(1 + e^{-|z|}\bigr), \quad
              z = \log \frac{p'}{1 - p'}

    This is the route Keras 2.2 and earlier took (``K.binary_crossentropy``); today's Keras 3
    clips and takes the logarithms directly, and gives the same per-element ceilings.

    Parameters
    ----------
    target : array_like
        Targets in [0, 1].
    output : array_like
        Predicted probabilities in [0, 1], or logits if ``from_logits``; broadcast against
        ``target``.
    from_logits : bool, default False
        ``output`` already holds logits: no clip, no conversion.
    epsilon : float, default 1e-7
        The clip, Keras's ``keras.config.epsilon()``; must lie in (0, 0.5).

    Returns
    -------
    numpy.ndarray
        The per-element loss, in the broadcast shape, in the dtype rule of
        :func:`binary_cross_entropy`. It never exceeds :math:`-\log \epsilon` (16.118095 for
        the default, in float32).

    Raises
    ------
    TypeError
        If an argument is not real-valued, ``from_logits`` is not a bool, or ``epsilon`` is not
        a real number.
    ValueError
        If ``target`` leaves [0, 1], ``output`` leaves [0, 1] (without ``from_logits``), either
        holds NaN, the shapes do not broadcast, or ``epsilon`` is outside (0, 0.5).

    References
    ----------
    The Keras NumPy backend quoted in "Intuition behind categorical cross entropy"
    :cite:p:`seed000categorical`.

    See the chapter :doc:`/chapters/04_binary_cross_entropy`.
    """
    from_logits = check_bool(from_logits, "from_logits")
    epsilon = check_real(epsilon, "epsilon", 0, 0.5, bounds="()")
    output, target = _as_pair(output, target, "output", labels_name="target")
    if from_logits:
        check_no_nan(output, "output")
    else:
        check_probabilities(output, "output")
    return _keras_legacy_binary_crossentropy(target, output, from_logits, epsilon)


def _keras_legacy_binary_crossentropy(target, output, from_logits=False, epsilon=1e-7):
    """The maths of :func:`keras_legacy_binary_crossentropy`, without the argument checks."""
    if not from_logits:
        eps = output.dtype.type(epsilon)  # both bounds rounded to the dtype, as Keras does
        output = np.clip(output, eps, 1 - eps)
        output = np.log(output / (1 - output))  # the clipped probability back to a logit
    return _binary_cross_entropy_with_logits(output, target)
