"""Binary cross-entropy: from probabilities, from logits, and the Keras backend's clipped form.

Defined in :doc:`/chapters/04_binary_cross_entropy`.
"""

import numbers

import numpy as np

from ._checks import as_float_array, check_no_nan, check_probabilities
from ._ops import xlogy


def _as_pair(labels, probs, probs_name, labels_name="labels"):
    """Labels and probabilities (or logits) as float arrays of one broadcast shape and dtype.

    Integer or boolean labels take the dtype of the second argument, so float32 predictions with
    0/1 labels stay float32.
    """
    raw_labels = np.asarray(labels) if not isinstance(labels, (str, bytes)) else labels
    labels = as_float_array(labels, labels_name)
    values = as_float_array(probs, probs_name)
    if getattr(raw_labels, "dtype", None) is not None and raw_labels.dtype.kind in "biu":
        labels = labels.astype(values.dtype)
    dtype = np.result_type(labels, values)
    try:
        labels, values = np.broadcast_arrays(labels.astype(dtype), values.astype(dtype))
    except ValueError:
        raise ValueError(
            f"{labels_name} and {probs_name} must broadcast to one shape, got {labels.shape} and "
            f"{values.shape}"
        ) from None
    check_probabilities(labels, labels_name)
    return labels, values


def _check_eps(eps, name="eps"):
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(eps).__name__}")
    if not 0 < eps < 0.5:
        raise ValueError(f"{name} must lie in (0, 0.5), got {eps!r}")
    return float(eps)


def binary_cross_entropy(labels, probs, eps=None):
    r"""Binary cross-entropy of predicted probabilities, element by element.

    .. math:: \ell(y, p) = -\bigl(y \log p + (1 - y) \log(1 - p)\bigr)

    with :math:`0 \log 0 = 0`. With ``eps`` the probabilities are first clipped to
    :math:`[\epsilon, 1 - \epsilon]` (in their own dtype), as Keras does.

    Parameters
    ----------
    labels : array_like
        Targets :math:`y` in [0, 1]: 0/1 labels or soft labels.
    probs : array_like
        Predicted probabilities :math:`p` of the label 1, in [0, 1]; broadcast against ``labels``.
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

    See the chapter :doc:`/chapters/04_binary_cross_entropy`.
    """
    labels, probs = _as_pair(labels, probs, "probs")
    check_probabilities(probs, "probs")
    if eps is not None:
        eps = _check_eps(eps)
        # both bounds rounded to the dtype: float32 1 - 1e-7 is 0.99999988
        probs = np.clip(probs, probs.dtype.type(eps), 1 - probs.dtype.type(eps))
    # adding 0.0 turns the -0.0 of a perfect prediction into 0.0
    return -(xlogy(labels, probs) + xlogy(1 - labels, 1 - probs)) + 0.0


def binary_cross_entropy_with_logits(labels, logits):
    r"""Binary cross-entropy of a sigmoid output, computed from the logits without overflow.

    .. math:: \ell(y, z) = -\bigl(y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))\bigr)
              = \max(z, 0) - z y + \log\bigl(1 + e^{-|z|}\bigr)

    Parameters
    ----------
    labels : array_like
        Targets :math:`y` in [0, 1].
    logits : array_like
        Scores :math:`z` with :math:`P(y = 1) = \sigma(z)`; broadcast against ``labels``. Any
        finite value is fine.

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

    See the chapter :doc:`/chapters/04_binary_cross_entropy`.
    """
    labels, logits = _as_pair(labels, logits, "logits")
    check_no_nan(logits, "logits")
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

    See the chapter :doc:`/chapters/04_binary_cross_entropy`.
    """
    if not isinstance(from_logits, (bool, np.bool_)):
        raise TypeError(f"from_logits must be a bool, got {type(from_logits).__name__}")
    if from_logits:
        return binary_cross_entropy_with_logits(target, output)
    epsilon = _check_eps(epsilon, "epsilon")
    target, output = _as_pair(target, output, "output", labels_name="target")
    check_probabilities(output, "output")
    eps = output.dtype.type(epsilon)
    output = np.clip(output, eps, 1 - eps)
    logits = np.log(output / (1 - output))
    return binary_cross_entropy_with_logits(target, logits)
