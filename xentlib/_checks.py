"""Input checks shared by every xentlib function.

Each helper turns ``array_like`` input into a NumPy array or raises an error whose message names
the argument, says what it got and what it needs, in the way NumPy and PyTorch phrase theirs.
"""

import numbers

import numpy as np


def as_float_array(x, name, list_dtype=None):
    """Return ``x`` as a floating-point array, keeping float32 and float64.

    Integers and booleans become float64; float16 becomes float32 (the frameworks also compute
    these losses in float32 when given half precision). With ``list_dtype``, a Python list or
    tuple becomes that dtype (Keras turns one into a tensor of its float type, float32).
    """
    if list_dtype is not None and isinstance(x, (list, tuple)):
        return as_float_array(x, name).astype(list_dtype)
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a real-valued array, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array: {err}") from None
    kind = arr.dtype.kind
    if kind in "biu":
        return arr.astype(np.float64)
    if kind != "f":
        raise TypeError(f"{name} must be a real-valued array, got dtype {arr.dtype}")
    if arr.dtype == np.float16:
        return arr.astype(np.float32)
    if arr.dtype not in (np.float32, np.float64):
        return arr.astype(np.float64)
    return arr


def result_dtype(*arrays):
    """The float dtype that a computation on ``arrays`` should return."""
    return np.result_type(*arrays) if arrays else np.float64


def check_int(value, name, minimum=None):
    """Return ``value`` as an int (bools refused), at least ``minimum`` when one is given."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_bool(value, name):
    """Return ``value`` as a bool; only ``True``/``False`` (or NumPy bools) are accepted."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def check_real(value, name, low=None, high=None, bounds="[]"):
    """Return ``value`` as a float, checked to be a real number within ``low`` and ``high``.

    ``bounds`` says whether each end is included: ``"[]"`` (both, the default), ``"()"``
    (neither), ``"[)"`` or ``"(]"``. Bools, strings and complex numbers are refused; NaN too.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    below = low is not None and (value < low if bounds[0] == "[" else value <= low)
    above = high is not None and (value > high if bounds[1] == "]" else value >= high)
    if value != value or below or above:  # value != value: NaN
        if low is not None and high is not None:
            need = f"in {bounds[0]}{low}, {high}{bounds[1]}"
        elif low is not None:
            need = f"{'at least' if bounds[0] == '[' else 'greater than'} {low}"
        elif high is not None:
            need = f"{'at most' if bounds[1] == ']' else 'less than'} {high}"
        else:
            need = "a number, not NaN"
        raise ValueError(f"{name} must be {need}, got {value!r}")
    return value


def check_callable(value, name, need="callable"):
    """Return ``value`` if it can be called; ``need`` says in the message what it must be."""
    if not callable(value):
        raise TypeError(f"{name} must be {need}, got {type(value).__name__}")
    return value


def check_fraction(value, name):
    """Return ``value`` as a float in [0, 1] (a smoothing factor, say)."""
    return check_real(value, name, 0, 1)


def check_axis(axis, ndim, name="axis"):
    """Return ``axis`` normalised to ``0 <= axis < ndim``."""
    check_int(axis, name)
    if ndim == 0:
        raise ValueError(f"{name}={axis} needs an array with at least one dimension, got a scalar")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for an array with {ndim} dimension(s)")
    return int(axis) % ndim


def as_matrix(x, name, shape="(samples, features)"):
    """Return ``x`` as a 2-D float array; ``shape`` words the two axes in the message."""
    x = as_float_array(x, name)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array {shape}, got shape {x.shape}")
    return x


def check_finite(arr, name):
    """Raise unless every entry of ``arr`` is finite (no NaN, no infinity)."""
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")


def check_no_nan(arr, name):
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")


def check_positive(arr, name, allow_zero=False):
    """Raise unless every entry of ``arr`` is positive (non-negative with ``allow_zero``), no NaN."""
    check_no_nan(arr, name)
    if arr.size and (arr.min() < 0 if allow_zero else arr.min() <= 0):
        need = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be {need}, got a minimum of {arr.min():.6g}")


def check_logits(arr, name, axis):
    """Raise unless ``arr`` has a softmax along ``axis``: no NaN, no ``+inf``, and no slice that
    is all ``-inf`` (a single ``-inf`` rules its class out; a slice of them has no softmax)."""
    check_no_nan(arr, name)
    if np.isposinf(arr).any():
        raise ValueError(f"{name} must not contain +inf")
    if arr.shape[axis] and np.isneginf(arr).all(axis=axis).any():
        raise ValueError(f"{name} must have at least one entry above -inf along the class axis")


def check_probabilities(arr, name):
    """Raise unless every entry of ``arr`` is a probability in [0, 1] (no NaN)."""
    check_no_nan(arr, name)
    if arr.size and (arr.min() < 0 or arr.max() > 1):
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], got values in "
            f"[{arr.min():.6g}, {arr.max():.6g}]"
        )


def check_distribution(arr, name, axis=-1, rtol=1e-6):
    """Raise unless ``arr`` holds probabilities that sum to 1 along ``axis``."""
    check_probabilities(arr, name)
    sums = arr.sum(axis=axis, dtype=np.float64)
    tol = max(rtol, 10 * np.finfo(arr.dtype).eps) * arr.shape[axis]
    if sums.size and np.abs(sums - 1).max() > tol:
        worst = sums.flat[np.abs(sums - 1).argmax()]
        raise ValueError(f"{name} must sum to 1 along axis {axis}, found a sum of {worst:.6g}")


def as_class_indices(targets, num_classes, name="targets"):
    """Return integer class indices checked to lie in ``[0, num_classes)``."""
    arr = np.asarray(targets)
    if arr.size == 0 and arr.dtype.kind in "fb":  # [] arrives as float64
        arr = arr.astype(np.intp)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class indices, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(
            f"{name} must be class indices in [0, {num_classes}), got values in "
            f"[{arr.min()}, {arr.max()}]"
        )
    return arr.astype(np.intp)


def check_same_shape(a, b, name_a, name_b):
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}"
        )


def check_reduction(reduction, allowed=("mean", "sum", "none")):
    if reduction not in allowed:
        raise ValueError(f"reduction must be one of {allowed}, got {reduction!r}")
    return reduction


def check_class_axis(arr, name):
    """Raise unless ``arr`` has at least one dimension, the class axis."""
    if arr.ndim == 0:
        raise ValueError(f"{name} must have a class axis (at least 1 dimension), got a scalar")


def check_not_empty(arr, name):
    """Raise unless ``arr`` holds at least one observation."""
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one observation, got an empty array")


def check_zero_one(arr, name):
    """Raise unless every entry of ``arr`` is 0 or 1 (Bernoulli observations)."""
    bad = arr[(arr != 0) & (arr != 1)]
    if bad.size:
        raise ValueError(f"{name} must be 0 or 1 (Bernoulli observations), got {bad.flat[0]:g}")


def check_log_probabilities(arr, name):
    """Raise unless every entry of ``arr`` is a log-probability in [-inf, 0] (no NaN)."""
    check_no_nan(arr, name)
    if arr.size and arr.max() > 0:
        raise ValueError(
            f"{name} must hold log-probabilities (<= 0), got a maximum of {arr.max():.6g}; "
            "pass log_softmax(logits), not probabilities or logits"
        )


def check_vector(arr, name):
    """Raise unless ``arr`` is a non-empty one-dimensional array."""
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
