"""xentlib: cross-entropy from first principles, in NumPy.

Every function here is built step by step in a chapter of the xent book, which links to it, and
is tested against PyTorch and TensorFlow/Keras. All functions take array_like input, return NumPy
arrays, and raise ``TypeError`` / ``ValueError`` naming the offending argument on bad input.
"""

from .likelihood import (
    bernoulli_likelihood,
    bernoulli_log_likelihood,
    bernoulli_mle,
    categorical_log_likelihood,
    categorical_mle,
)
from .softmax import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax

__version__ = "0.1.0"

__all__ = [
    "bernoulli_likelihood",
    "bernoulli_log_likelihood",
    "bernoulli_mle",
    "categorical_log_likelihood",
    "categorical_mle",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "softmax",
]
