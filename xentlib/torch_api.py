"""PyTorch's cross-entropy functions, rebuilt in NumPy with the same names, arguments and defaults.

Each function here mirrors the one of the same name in ``torch.nn.functional``: call it with NumPy
arrays where you would pass tensors and it returns the same numbers (a NumPy scalar for the
``'mean'`` and ``'sum'`` reductions, an array for ``'none'``). The mirrors are thin shells over
the core functions :func:`xentlib.log_softmax` and :func:`xentlib.log_sigmoid`; what they add is
PyTorch's bookkeeping: the class axis at dimension 1, ``weight``, ``ignore_index``,
``label_smoothing``, and the denominators of each reduction. Each public function checks its
arguments and calls a short private function ``_name`` that holds only the maths.

Where PyTorch raises an opaque ``RuntimeError`` these raise ``TypeError``, ``ValueError`` or
``IndexError`` naming the argument. They are also a little more permissive about dtypes: any
integer array is accepted as class indices (PyTorch wants int64 or uint8), and a ``weight`` of
another float dtype is cast to the input's (PyTorch refuses).

Defined in :doc:`/chapters/08_pytorch`.
"""

import math

import numpy as np

from ._checks import (
    as_float_array,
    check_axis,
    check_bool,
    check_class_axis,
    check_fraction,
    check_int,
    check_probabilities,
    check_real,
    check_reduction,
    check_same_shape,
)
from ._ops import reduce, xlogy
from .imbalance import _focal_loss_with_logits
from .softmax import log_sigmoid
from .softmax import log_softmax as _core_log_softmax
from .softmax import softmax as _core_softmax

_REDUCTIONS = ("mean", "sum", "none")


# --- argument checks ----------------------------------------------------------------------------


def _class_input(input):
    """``input`` as a float array with a class axis: dim 1, or dim 0 for a single sample."""
    input = as_float_array(input, "input")
    check_class_axis(input, "input")
    class_dim = 0 if input.ndim == 1 else 1
    if input.shape[class_dim] == 0:
        raise ValueError(
            f"input must have at least one class along dim {class_dim}, got shape {input.shape}"
        )
    return input, class_dim


def _class_weight(weight, num_classes, dtype):
    """``weight`` as a length-C array of ``dtype``, or None."""
    if weight is None:
        return None
    weight = as_float_array(weight, "weight")
    if weight.shape != (num_classes,):
        raise ValueError(
            f"weight must be a 1-D array with one entry per class ({num_classes}), got shape {weight.shape}"
        )
    return weight.astype(dtype)


def _class_targets(target, input, class_dim, ignore_index):
    """Integer class indices of the shape of ``input`` without its class dim, checked in range."""
    target = np.asarray(target)
    if target.size == 0 and target.dtype.kind == "f":  # [] arrives as float64
        target = target.astype(np.int64)
    if target.dtype.kind not in "iu":
        raise TypeError(f"target must hold integer class indices, got dtype {target.dtype}")
    expected = input.shape[:class_dim] + input.shape[class_dim + 1 :]
    if target.shape != expected:
        raise ValueError(
            f"target must have shape {expected} (input's shape {input.shape} without the class "
            f"dim {class_dim}), got {target.shape}"
        )
    num_classes = input.shape[class_dim]
    bad = (target != ignore_index) & ((target < 0) | (target >= num_classes))
    if bad.any():
        raise IndexError(
            f"target holds {target[bad].flat[0]}, which is neither a class index in "
            f"[0, {num_classes}) nor ignore_index={ignore_index}"
        )
    return target.astype(np.int64)


def _broadcast_to(arr, shape, name, what):
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(
            f"{name} of shape {arr.shape} must broadcast to {what} shape {shape}"
        ) from None


def _broadcast_loss_shape(input, target):
    """The shape of ``input - target``, or an error naming both shapes."""
    try:
        return np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ValueError(
            f"input of shape {input.shape} and target of shape {target.shape} must broadcast "
            "together"
        ) from None


# --- the softmax family --------------------------------------------------------------------------


def _softmax_like(core, input, dim):
    input = as_float_array(input, "input")
    if input.ndim == 0:  # PyTorch treats a scalar as a single class
        check_axis(dim, 1, "dim")
        return core(input.reshape(1)).reshape(())
    dim = check_axis(dim, input.ndim, "dim")
    if input.shape[dim] == 0:  # nothing to normalise
        return input.copy()
    return core(input, axis=dim)


def softmax(input, dim):
    r"""Softmax along ``dim``, as ``torch.nn.functional.softmax``.

    .. math:: \operatorname{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}

    Parameters
    ----------
    input : array_like
        Scores; any shape (a scalar counts as one class).
    dim : int
        The axis to normalise. Unlike PyTorch there is no implicit default.

    Returns
    -------
    numpy.ndarray
        Same shape as ``input``; float32 for float32 input, float64 otherwise.

    Raises
    ------
    TypeError
        If ``input`` is not real-valued or ``dim`` is not an int.
    ValueError
        If ``dim`` is out of range.

    References
    ----------
    The PyTorch API documentation of ``torch.nn.functional`` :cite:p:`pytorchdocs`.

    See the chapter :doc:`/chapters/08_pytorch`.
    """
    return _softmax_like(_core_softmax, input, dim)


def log_softmax(input, dim):
    r"""Log-softmax along ``dim``, as ``torch.nn.functional.log_softmax``.

    .. math:: \log \operatorname{softmax}(x)_i = x_i - \log \sum_j e^{x_j}

    Parameters
    ----------
    input : array_like
        Scores; any shape (a scalar counts as one class).
    dim : int
        The axis to normalise. Unlike PyTorch there is no implicit default.

    Returns
    -------
    numpy.ndarray
        Same shape as ``input``; float32 for float32 input, float64 otherwise.

    Raises
    ------
    TypeError
        If ``input`` is not real-valued or ``dim`` is not an int.
    ValueError
        If ``dim`` is out of range.

    References
    ----------
    The PyTorch API documentation of ``torch.nn.functional`` :cite:p:`pytorchdocs`.

    See the chapter :doc:`/chapters/08_pytorch`.
    """
    return _softmax_like(_core_log_softmax, input, dim)


# --- class-index losses --------------------------------------------------------------------------


def _nll(log_probs, target, class_dim, weight, ignore_index, reduction):
    """The maths of :func:`nll_loss`, without the argument checks.

    Also returns the per-sample weights (0 where ignored), the denominator of 'mean'.
    """
    ignored = target == ignore_index
    safe = np.where(ignored, 0, target)
    picked = np.take_along_axis(log_probs, np.expand_dims(safe, class_dim), axis=class_dim)
    picked = np.squeeze(picked, axis=class_dim)
    w = np.ones_like(picked) if weight is None else weight[safe]
    w = np.where(ignored, 0, w).astype(log_probs.dtype)
    losses = np.where(ignored, 0, -picked * w).astype(log_probs.dtype)
    return reduce(losses, reduction, denominator=w.sum(dtype=w.dtype)), w


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    r"""Negative log-likelihood of class indices, as ``torch.nn.functional.nll_loss``.

    ``input`` must already hold log-probabilities (the output of :func:`log_softmax`); fed
    probabilities, it returns a meaningless number without complaint, as PyTorch does.

    .. math:: \ell_n = -w_{y_n} x_{n, y_n}, \qquad
              \text{'mean'} = \frac{\sum_n \ell_n}{\sum_{n:\, y_n \ne \text{ignore}} w_{y_n}}

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Log-probabilities; the class axis is dim 1 (dim 0 for a single sample).
    target : array_like of int, shape (), (N,) or (N, d1, ...)
        Class indices in ``[0, C)``, or ``ignore_index``.
    weight : array_like, shape (C,), optional
        A weight per class; cast to ``input``'s dtype.
    ignore_index : int, default -100
        Targets equal to it contribute 0 to the loss and to the 'mean' denominator.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' divides by the summed weights of the non-ignored targets (their count without
        ``weight``); all targets ignored gives ``nan``.

    Returns
    -------
    numpy.floating or numpy.ndarray
        A scalar, or the per-sample losses of ``target``'s shape for 'none'; ``input``'s dtype.

    Raises
    ------
    TypeError
        If ``target`` is not integer, or an argument has the wrong type.
    ValueError
        If shapes do not fit or ``reduction`` is unknown.
    IndexError
        If a target is neither in ``[0, C)`` nor ``ignore_index``.

    References
    ----------
    The PyTorch API documentation of ``torch.nn.functional`` :cite:p:`pytorchdocs`.

    See the chapter :doc:`/chapters/08_pytorch`.
    """
    input, class_dim = _class_input(input)
    ignore_index = check_int(ignore_index, "ignore_index")
    check_reduction(reduction, _REDUCTIONS)
    weight = _class_weight(weight, input.shape[class_dim], input.dtype)
    target = _class_targets(target, input, class_dim, ignore_index)
    return _nll(input, target, class_dim, weight, ignore_index, reduction)[0]


def _cross_entropy_probs(input, target, class_dim, weight, reduction, label_smoothing):
    """The maths of :func:`cross_entropy` with class-probability targets, without the checks."""
    dtype = np.result_type(input, target)
    log_probs = _core_log_softmax(input, axis=class_dim).astype(dtype)
    num_classes = input.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / num_classes
    terms = log_probs * target
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = num_classes
        terms = terms * weight.astype(dtype).reshape(shape)
    losses = -terms.sum(axis=class_dim, dtype=dtype)
    return reduce(losses.astype(dtype), reduction)  # 'mean' divides by N·d1·..., not by Σw


def cross_entropy(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    r"""Softmax cross-entropy from logits, as ``torch.nn.functional.cross_entropy``.

    With class indices it is :func:`nll_loss` of :func:`log_softmax`; label smoothing mixes in
    the uniform distribution with the same denominator:

    .. math:: \ell_n = (1 - \varepsilon)\, w_{y_n} (-\log p_{n, y_n})
              + \frac{\varepsilon}{C} \sum_c w_c (-\log p_{n, c})

    With class probabilities (a float ``target`` of ``input``'s shape), the smoothed target is
    :math:`t(1 - \varepsilon) + \varepsilon / C` and
    :math:`\ell_n = -\sum_c w_c t_{n, c} \log p_{n, c}`; 'mean' then divides by the number of
    samples, not by the weights.

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Logits; the class axis is dim 1 (dim 0 for a single sample).
    target : array_like
        Class indices (integer, ``input``'s shape without the class dim) or class
        probabilities (float, ``input``'s shape).
    weight : array_like, shape (C,), optional
        A weight per class.
    ignore_index : int, default -100
        With class indices, targets equal to it are skipped (loss 0, not in the 'mean'
        denominator). Must be negative with class probabilities, where nothing is ignored.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        With class indices, 'mean' divides by :math:`\sum_n w_{y_n}` over non-ignored targets
        (``nan`` if all are ignored); with probabilities, by the number of samples.
    label_smoothing : float in [0, 1], default 0.0
        Weight :math:`\varepsilon` of the uniform distribution mixed into the target.

    Returns
    -------
    numpy.floating or numpy.ndarray
        A scalar, or per-sample losses for 'none'. ``input``'s dtype with class indices; the
        common dtype of ``input`` and ``target`` with probabilities.

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. float class indices).
    ValueError
        If shapes do not fit, ``reduction`` is unknown, ``label_smoothing`` is outside [0, 1]
        (PyTorch silently ignores a negative one), or ``ignore_index`` is non-negative with
        probability targets.
    IndexError
        If a class index is neither in ``[0, C)`` nor ``ignore_index``.

    References
    ----------
    The PyTorch API documentation of ``torch.nn.functional`` :cite:p:`pytorchdocs`.

    See the chapter :doc:`/chapters/08_pytorch`.
    """
    input, class_dim = _class_input(input)
    ignore_index = check_int(ignore_index, "ignore_index")
    check_reduction(reduction, _REDUCTIONS)
    label_smoothing = check_fraction(label_smoothing, "label_smoothing")
    num_classes = input.shape[class_dim]
    weight = _class_weight(weight, num_classes, input.dtype)

    target_arr = np.asarray(target)
    if target_arr.shape == input.shape:
        # same shape as the logits: class probabilities
        if target_arr.dtype.kind not in "f":
            raise TypeError(
                f"target has input's shape {input.shape}, so it is read as class probabilities "
                f"and must be floating point, got dtype {target_arr.dtype}"
            )
        if ignore_index >= 0:
            raise ValueError(
                f"ignore_index={ignore_index} cannot be used with class-probability targets "
                "(leave it at its negative default)"
            )
        target_arr = as_float_array(target_arr, "target")
        return _cross_entropy_probs(
            input, target_arr, class_dim, weight, reduction, label_smoothing
        )
    if target_arr.dtype.kind == "f" and target_arr.size:
        raise TypeError(
            f"target is floating point, so it must hold class probabilities of input's shape "
            f"{input.shape}, got shape {target_arr.shape}; class indices must be integers"
        )

    target = _class_targets(target_arr, input, class_dim, ignore_index)
    return _cross_entropy(
        input, target, class_dim, weight, ignore_index, reduction, label_smoothing
    )


def _cross_entropy(input, target, class_dim, weight, ignore_index, reduction, label_smoothing):
    """The maths of :func:`cross_entropy` with class-index targets, without the argument checks."""
    log_probs = _core_log_softmax(input, axis=class_dim)
    nll, w = _nll(log_probs, target, class_dim, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    # the uniform part: -sum_c w_c log p_c per sample, 0 where ignored, same denominator as nll
    num_classes = input.shape[class_dim]
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = num_classes
        log_probs = log_probs * weight.reshape(shape)
    smooth = -log_probs.sum(axis=class_dim, dtype=input.dtype)
    smooth = np.where(target == ignore_index, 0, smooth).astype(input.dtype)
    smooth = reduce(smooth, reduction, denominator=w.sum(dtype=w.dtype))
    loss = (1 - label_smoothing) * nll + smooth * (label_smoothing / num_classes)
    return loss.astype(input.dtype)[()]


# --- binary losses ------------------------------------------------------------------------------


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    r"""Binary cross-entropy of probabilities, as ``torch.nn.functional.binary_cross_entropy``.

    Each logarithm is clamped at :math:`-100`, so a confident mistake costs at most 100 per
    element instead of infinity:

    .. math:: \ell = -w \left[ t \max(\log p, -100) + (1 - t) \max(\log(1 - p), -100) \right]

    Parameters
    ----------
    input : array_like
        Probabilities in [0, 1]; any shape.
    target : array_like
        Targets in [0, 1] (soft labels allowed), ``input``'s shape.
    weight : array_like, optional
        Weights that broadcast to ``target``'s shape.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over all elements.

    Returns
    -------
    numpy.floating or numpy.ndarray
        A scalar, or the elementwise losses for 'none'; the common dtype of ``input`` and
        ``target``.

    Raises
    ------
    TypeError
        If an array is not real-valued.
    ValueError
        If ``input`` or ``target`` is outside [0, 1] or NaN, shapes do not fit, or
        ``reduction`` is unknown.

    References
    ----------
    The PyTorch API documentation of ``torch.nn.functional`` :cite:p:`pytorchdocs`.

    See the chapter :doc:`/chapters/08_pytorch`.
    """
    input = as_float_array(input, "input")
    target = as_float_array(target, "target")
    check_reduction(reduction, _REDUCTIONS)
    check_same_shape(input, target, "input", "target")
    check_probabilities(input, "input")
    check_probabilities(target, "target")
    if weight is not None:
        weight = _broadcast_to(as_float_array(weight, "weight"), target.shape, "weight", "target's")
    return _binary_cross_entropy(input, target, weight, reduction)


def _binary_cross_entropy(input, target, weight, reduction):
    """The maths of :func:`binary_cross_entropy`, without the argument checks."""
    dtype = np.result_type(input, target)
    with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped at -100
        log_p = np.maximum(np.log(input), -100).astype(dtype)
        log_not_p = np.maximum(np.log1p(-input), -100).astype(dtype)
    losses = (target - 1) * log_not_p - target * log_p
    if weight is not None:
        losses = losses * weight.astype(dtype)
    return reduce(losses.astype(dtype), reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    r"""Sigmoid binary cross-entropy from logits, as PyTorch's ``binary_cross_entropy_with_logits``.

    Computed through :func:`xentlib.log_sigmoid`, so it is finite for every finite logit:

    .. math:: \ell = w \left[ (1 - t)\, x - \bigl(1 + (q - 1)\, t\bigr) \log \sigma(x) \right]

    where :math:`q` is ``pos_weight`` (1 when omitted): it multiplies the positive term
    :math:`-t \log \sigma(x)` only.

    Parameters
    ----------
    input : array_like
        Logits; any shape.
    target : array_like
        Targets (usually in [0, 1]), ``input``'s shape.
    weight : array_like, optional
        Weights that broadcast to ``input``'s shape.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over all elements.
    pos_weight : array_like, optional
        Weight of the positive class, broadcast against ``input`` from the last dim (usually
        one per class, shape (C,)).

    Returns
    -------
    numpy.floating or numpy.ndarray
        A scalar, or the elementwise losses for 'none'; the common dtype of ``input`` and
        ``target``.

    Raises
    ------
    TypeError
        If an array is not real-valued.
    ValueError
        If shapes do not fit or ``reduction`` is unknown.

    References
    ----------
    The PyTorch API documentation of ``torch.nn.functional`` :cite:p:`pytorchdocs`.

    See the chapter :doc:`/chapters/08_pytorch`.
    """
    input = as_float_array(input, "input")
    target = as_float_array(target, "target")
    check_reduction(reduction, _REDUCTIONS)
    check_same_shape(input, target, "input", "target")
    if pos_weight is not None:
        pos_weight = as_float_array(pos_weight, "pos_weight")
        pos_weight = _broadcast_to(pos_weight, input.shape, "pos_weight", "input's")
    if weight is not None:
        weight = _broadcast_to(as_float_array(weight, "weight"), input.shape, "weight", "input's")
    return _binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)


def _binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight):
    """The maths of :func:`binary_cross_entropy_with_logits`, without the argument checks."""
    dtype = np.result_type(input, target)
    log_sig = log_sigmoid(input).astype(dtype)
    if pos_weight is None:
        losses = (1 - target) * input - log_sig
    else:
        losses = (1 - target) * input - (1 + (pos_weight.astype(dtype) - 1) * target) * log_sig
    if weight is not None:
        losses = losses * weight.astype(dtype)
    return reduce(losses.astype(dtype), reduction)


# --- KL divergence ------------------------------------------------------------------------------


def kl_div(input, target, reduction="mean", log_target=False):
    r"""Kullback-Leibler divergence, as ``torch.nn.functional.kl_div``.

    The arguments are the other way round from the maths: ``input`` holds the model's
    *log*-probabilities :math:`\log q` and ``target`` the reference :math:`p`, and the result is
    :math:`D_{\mathrm{KL}}(p \,\|\, q)` summed elementwise,

    .. math:: \ell = p \,(\log p - \log q), \qquad 0 \log 0 = 0 .

    Parameters
    ----------
    input : array_like
        Log-probabilities :math:`\log q`; any shape that broadcasts with ``target``.
    target : array_like
        Probabilities :math:`p`, or :math:`\log p` if ``log_target``.
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
        'mean' averages over *all elements* (dividing by the number of classes too: PyTorch
        warns about it); 'batchmean' divides the sum by ``input.shape[0]``, which is the KL
        divergence per sample.
    log_target : bool, default False
        Whether ``target`` holds log-probabilities.

    Returns
    -------
    numpy.floating or numpy.ndarray
        A scalar, or the elementwise terms for 'none'; the common dtype of the inputs.

    Raises
    ------
    TypeError
        If an array is not real-valued or ``log_target`` is not a bool.
    ValueError
        If the shapes do not broadcast or ``reduction`` is unknown.

    References
    ----------
    The PyTorch API documentation of ``torch.nn.functional`` :cite:p:`pytorchdocs`.

    See the chapter :doc:`/chapters/08_pytorch`.
    """
    input = as_float_array(input, "input")
    target = as_float_array(target, "target")
    check_reduction(reduction, ("mean", "batchmean", "sum", "none"))
    log_target = check_bool(log_target, "log_target")
    _broadcast_loss_shape(input, target)
    return _kl_div(input, target, reduction, log_target)


def _kl_div(input, target, reduction, log_target):
    """The maths of :func:`kl_div`, without the argument checks."""
    shape = np.broadcast_shapes(input.shape, target.shape)
    dtype = np.result_type(input, target)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0·(-inf) and log of negatives give nan
        if log_target:
            terms = np.exp(target) * (target - input)
        else:
            terms = xlogy(target, target) - target * input  # t log t - t log q, 0 log 0 = 0
    terms = np.broadcast_to(terms, shape).astype(dtype)
    if reduction == "batchmean":
        total = reduce(terms, "sum")
        if input.ndim == 0:
            return total
        with np.errstate(invalid="ignore", divide="ignore"):
            return (total / np.asarray(input.shape[0], dtype=dtype))[()]
    return reduce(terms, reduction)


# --- likelihood losses: Gaussian and Poisson ----------------------------------------------------


def _torch_operands(*pairs):
    """``(value, name)`` pairs as float arrays of the dtype PyTorch's type promotion gives them.

    Integer arrays and 0-d arrays do not promote the dtype of the others (a 0-d tensor or a
    Python number adapts to a tensor with dimensions); the shapes are left as they are.
    """
    arrays, ranked = [], []
    for value, name in pairs:
        integer = np.asarray(value).dtype.kind in "biu"
        arr = as_float_array(value, name)
        arrays.append(arr)
        if not integer:
            ranked.append(arr)
    ranked = [arr for arr in ranked if arr.ndim] or ranked
    dtype = np.result_type(*ranked) if ranked else np.float32  # torch's default dtype
    return [arr.astype(dtype, copy=False) for arr in arrays]


def _gaussian_var(var, input_shape):
    """``var`` in a shape that broadcasts against ``input``, by PyTorch's three cases."""
    if var.ndim == 0 or var.shape == input_shape:
        return var
    if var.shape == input_shape[:-1]:  # one variance per row of the last dimension
        return var[..., None]
    mismatched = [v for i, v in zip(input_shape, var.shape, strict=False) if i != v]
    if var.ndim == len(input_shape) and sum(mismatched) == 1:  # one dimension of size 1
        return var
    raise ValueError(
        f"var must have input's shape {input_shape}, that shape without its last dimension, or "
        f"that shape with one dimension set to 1; got {var.shape}"
    )


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    r"""Gaussian negative log-likelihood with a predicted variance, as PyTorch's ``gaussian_nll_loss``.

    .. math:: \ell = \frac12 \left( \log \max(\sigma^2, \epsilon)
              + \frac{(x - y)^2}{\max(\sigma^2, \epsilon)} \right)
              \; \Bigl[ + \tfrac12 \log 2\pi \text{ if } \texttt{full} \Bigr]

    ``eps`` is a floor, not an addend: a variance above it is used unchanged. PyTorch clamps
    under ``torch.no_grad()``, so its gradient with respect to a clamped variance is computed at
    the floor and passed on as if no clamp had happened.

    Parameters
    ----------
    input : array_like
        The predicted means :math:`x`; broadcast against ``target``.
    target : array_like
        The observed values :math:`y`.
    var : array_like or float
        The variances :math:`\sigma^2`, non-negative: a number (one variance for every element),
        ``input``'s shape (one per element), ``input``'s shape without its last dimension, or
        ``input``'s shape with one dimension of size 1 (one per row of that dimension). A 0-d
        array counts as a number (PyTorch refuses a 0-d tensor unless ``input`` is 1-D).
    full : bool, default False
        Add the constant :math:`\frac12 \log 2\pi`, making the loss the exact negative
        log-density.
    eps : float, default 1e-6
        The floor of the variance; non-negative (PyTorch accepts any float).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over all elements of the broadcast loss.

    Returns
    -------
    numpy.floating or numpy.ndarray
        A scalar, or the elementwise losses for 'none', in PyTorch's promoted dtype of the
        arguments (a number ``var`` takes ``input``'s dtype).

    Raises
    ------
    TypeError
        If an array is not real-valued, ``full`` is not a bool or ``eps`` not a real number.
    ValueError
        If ``var`` has a negative entry or a shape not listed above, the shapes of ``input``
        and ``target`` do not broadcast, ``eps`` is negative, or ``reduction`` is unknown.

    References
    ----------
    Nix and Weigend, a network that predicts its own variance :cite:p:`nix1994`.

    See the chapter :doc:`/chapters/13_losses_from_likelihoods`.
    """
    input, target, var = _torch_operands((input, "input"), (target, "target"), (var, "var"))
    if var.ndim == 0:  # a number: one variance for all, in input's dtype
        var = var.astype(input.dtype)
    if (var < 0).any():
        raise ValueError(f"var must be non-negative, got a minimum of {var[var < 0].min():.6g}")
    var = _gaussian_var(var, input.shape)
    _broadcast_loss_shape(input, target)
    full = check_bool(full, "full")
    eps = check_real(eps, "eps", low=0)
    check_reduction(reduction, _REDUCTIONS)
    return _gaussian_nll_loss(input, target, var, full, eps, reduction)


def _gaussian_nll_loss(input, target, var, full, eps, reduction):
    """The maths of :func:`gaussian_nll_loss`, without the argument checks."""
    var = np.maximum(var, var.dtype.type(eps))  # a floor, not an addend
    with np.errstate(divide="ignore", invalid="ignore"):  # eps = 0 and var = 0: inf, like torch
        losses = 0.5 * (np.log(var) + (input - target) ** 2 / var)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return reduce(np.asarray(losses, dtype=input.dtype), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction="mean"):
    r"""Poisson negative log-likelihood, as PyTorch's ``poisson_nll_loss``.

    .. math:: \ell = \begin{cases} e^{x} - y\,x & \texttt{log\_input} \\
              x - y \log(x + \epsilon) & \text{otherwise} \end{cases}
              \; \Bigl[ + \bigl(y \log y - y + \tfrac12 \log 2\pi y\bigr)[y > 1]
              \text{ if } \texttt{full} \Bigr]

    The exact negative log-probability also has :math:`\log y!`; PyTorch leaves it out (it
    does not depend on the prediction) or, with ``full``, adds Stirling's approximation of it
    for the counts above 1 (for 0 and 1, :math:`\log y! = 0` exactly).

    Parameters
    ----------
    input : array_like
        The predicted log-rates (``log_input``) or rates :math:`x`; broadcast against
        ``target``.
    target : array_like
        The observed counts :math:`y` (not checked: PyTorch computes any real value). For an
        integer target PyTorch works the Stirling term in float32, its default dtype, even for
        float64 input; here it is worked in the dtype of the result.
    log_input : bool, default True
        Whether ``input`` holds the logarithm of the rate.
    full : bool, default False
        Add Stirling's approximation of :math:`\log y!` where :math:`y > 1`.
    eps : float, default 1e-8
        Added to the rate before its logarithm when ``log_input`` is False; non-negative
        (PyTorch accepts any float).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over all elements of the broadcast loss.

    Returns
    -------
    numpy.floating or numpy.ndarray
        A scalar, or the elementwise losses for 'none', in PyTorch's promoted dtype of the
        arguments.

    Raises
    ------
    TypeError
        If an array is not real-valued, ``log_input`` or ``full`` is not a bool, or ``eps`` is
        not a real number.
    ValueError
        If the shapes do not broadcast, ``eps`` is negative, or ``reduction`` is unknown.

    References
    ----------
    McCullagh and Nelder, Poisson regression with the log link :cite:p:`mccullagh1989`.

    See the chapter :doc:`/chapters/13_losses_from_likelihoods`.
    """
    input, target = _torch_operands((input, "input"), (target, "target"))
    _broadcast_loss_shape(input, target)
    log_input = check_bool(log_input, "log_input")
    full = check_bool(full, "full")
    eps = check_real(eps, "eps", low=0)
    check_reduction(reduction, _REDUCTIONS)
    return _poisson_nll_loss(input, target, log_input, full, eps, reduction)


def _poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """The maths of :func:`poisson_nll_loss`, without the argument checks."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # as torch: inf, nan
        if log_input:
            losses = np.exp(input) - target * input
        else:
            losses = input - target * np.log(input + eps)
        if full:
            # Stirling's log y!, used only where y > 1 (log 0! = log 1! = 0)
            stirling = target * np.log(target) - target + 0.5 * np.log(2 * math.pi * target)
            losses = losses + np.where(target > 1, stirling, 0)
    return reduce(np.asarray(losses, dtype=input.dtype), reduction)


# --- focal loss (torchvision, chapter 14) -------------------------------------------------------


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    r"""The focal loss of RetinaNet, as ``torchvision.ops.sigmoid_focal_loss``.

    Binary cross-entropy from logits, weighted by :math:`(1 - p_t)^\gamma` and, unless
    :math:`\alpha < 0`, by :math:`\alpha_t` :cite:p:`lin2017focal`:

    .. math:: \ell = \alpha_t\, (1 - p_t)^\gamma\,
              \bigl[-t \log \sigma(x) - (1 - t) \log(1 - \sigma(x))\bigr]

    .. math:: p_t = t\,\sigma(x) + (1 - t)(1 - \sigma(x)),
              \qquad \alpha_t = t \alpha + (1 - t)(1 - \alpha)

    This is :func:`xentlib.imbalance.focal_loss_with_logits`, with torchvision's conventions:
    a negative ``alpha`` (torchvision documents -1) switches the :math:`\alpha_t` weight off,
    and the default reduction is ``'none'``. Unlike torchvision, the mirror checks its
    arguments: ``alpha`` above 1, a negative ``gamma`` and targets outside [0, 1] are refused.

    Parameters
    ----------
    inputs : array_like
        Logits; any shape.
    targets : array_like
        Targets in [0, 1] (0 for the negative class, 1 for the positive), ``inputs``' shape.
    alpha : float, default 0.25
        :math:`\alpha` in [0, 1], the weight of the positive class; any negative number
        disables the weighting.
    gamma : float, default 2.0
        The focusing exponent :math:`\gamma \ge 0`.
    reduction : {'none', 'mean', 'sum'}, default 'none'
        'mean' averages over all elements.

    Returns
    -------
    numpy.floating or numpy.ndarray
        The elementwise losses for 'none', else a scalar; the common dtype of ``inputs`` and
        ``targets``.

    Raises
    ------
    TypeError
        If an array is not real-valued, or ``alpha`` or ``gamma`` is not a real number.
    ValueError
        If the shapes differ, ``targets`` leave [0, 1], ``alpha`` is above
        1, ``gamma`` is negative, or ``reduction`` is unknown.

    References
    ----------
    :cite:t:`lin2017focal`.

    See the chapter :doc:`/chapters/14_imbalance_and_focal_loss`.
    """
    inputs = as_float_array(inputs, "inputs")
    targets = as_float_array(targets, "targets")
    check_same_shape(inputs, targets, "inputs", "targets")
    check_probabilities(targets, "targets")
    alpha = check_real(alpha, "alpha", high=1)
    gamma = check_real(gamma, "gamma", low=0)
    check_reduction(reduction, _REDUCTIONS)
    return _sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction)


def _sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction):
    """The maths of :func:`sigmoid_focal_loss`, without the argument checks."""
    dtype = np.result_type(inputs, targets)
    losses = _focal_loss_with_logits(
        inputs.astype(dtype), targets.astype(dtype), alpha if alpha >= 0 else None, gamma
    )
    return reduce(losses, reduction)
