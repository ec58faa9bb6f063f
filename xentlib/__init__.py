"""xentlib: cross-entropy from first principles, in NumPy.

Every function here is built step by step in a chapter of the xent book, which links to it, and
is tested against PyTorch and TensorFlow/Keras. All functions take array_like input, return NumPy
arrays, and raise ``TypeError`` / ``ValueError`` naming the offending argument on bad input.
"""

# framework mirrors stay submodules (their names clash across frameworks): xentlib.keras_api.…
from . import keras_api as keras_api
from . import tf_api as tf_api
from . import torch_api as torch_api
from .binary import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    keras_legacy_binary_crossentropy,
)
from .entropy import cross_entropy, cross_entropy_with_logits, entropy, kl_divergence
from .gradients import (
    numerical_gradient,
    sigmoid_cross_entropy_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    softmax_jacobian,
)
from .imbalance import (
    average_precision,
    balanced_class_weights,
    fit_binary_classifier,
    focal_loss_with_logits,
    focal_loss_with_logits_grad,
    precision_recall_curve,
    precision_recall_per_class,
)
from .language_model import (
    bigram_log_probs,
    bits_per_unit,
    causal_lm_loss,
    perplexity,
    z_loss,
)
from .likelihood import (
    bernoulli_likelihood,
    bernoulli_log_likelihood,
    bernoulli_mle,
    categorical_log_likelihood,
    categorical_mle,
)
from .likelihood_losses import (
    fit_logistic_regression,
    gaussian_nll,
    laplace_nll,
    poisson_nll,
    sigmoid_squared_error,
    sigmoid_squared_error_grad,
)
from .nll import negative_log_likelihood, sparse_cross_entropy_with_logits
from .soft_targets import clip_loss, distillation_loss, info_nce, smooth_labels_other_classes
from .softmax import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax
from .streaming import fused_linear_cross_entropy, online_lse_merge, streaming_cross_entropy
from .training import (
    accuracy,
    confusion_matrix,
    expected_calibration_error,
    fit_softmax_regression,
    init_softmax_regression,
    interactive_session,
    one_hot,
    predict_proba,
    reliability_bins,
    smooth_labels,
    softmax_regression_grad,
    softmax_regression_logits,
)
from .vocab_parallel import vocab_parallel_cross_entropy, vocab_parallel_cross_entropy_grad

__version__ = "0.1.0"

__all__ = [
    # chapter 01: likelihood
    "bernoulli_likelihood",
    "bernoulli_log_likelihood",
    "bernoulli_mle",
    "categorical_log_likelihood",
    "categorical_mle",
    # chapter 02: negative log-likelihood
    "negative_log_likelihood",
    "sparse_cross_entropy_with_logits",
    # chapter 03: cross-entropy
    "cross_entropy",
    "cross_entropy_with_logits",
    "entropy",
    "kl_divergence",
    # chapter 04: binary cross-entropy
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "keras_legacy_binary_crossentropy",
    # chapter 05: the softmax and numerical stability
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "softmax",
    # chapters 06-08: the framework mirrors, as submodules
    "keras_api",
    "tf_api",
    "torch_api",
    # chapter 09: gradients
    "numerical_gradient",
    "sigmoid_cross_entropy_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "softmax_jacobian",
    # chapter 10: training a softmax regression
    "accuracy",
    "confusion_matrix",
    "expected_calibration_error",
    "fit_softmax_regression",
    "init_softmax_regression",
    "interactive_session",
    "one_hot",
    "predict_proba",
    "reliability_bins",
    "smooth_labels",
    "softmax_regression_grad",
    "softmax_regression_logits",
    # chapter 11: large vocabularies
    "fused_linear_cross_entropy",
    "online_lse_merge",
    "streaming_cross_entropy",
    # chapter 12: language models
    "bigram_log_probs",
    "bits_per_unit",
    "causal_lm_loss",
    "perplexity",
    "z_loss",
    # chapter 13: choosing a loss from a likelihood
    "fit_logistic_regression",
    "gaussian_nll",
    "laplace_nll",
    "poisson_nll",
    "sigmoid_squared_error",
    "sigmoid_squared_error_grad",
    # chapter 14: imbalance and focal loss
    "average_precision",
    "balanced_class_weights",
    "fit_binary_classifier",
    "focal_loss_with_logits",
    "focal_loss_with_logits_grad",
    "precision_recall_curve",
    "precision_recall_per_class",
    # chapter 15: soft targets and contrastive learning
    "clip_loss",
    "distillation_loss",
    "info_nce",
    "smooth_labels_other_classes",
    # chapter 16: across devices (the torch.distributed runs are in xentlib.distributed)
    "vocab_parallel_cross_entropy",
    "vocab_parallel_cross_entropy_grad",
]
