"""Quiet, deterministic imports of the frameworks the chapters compare against.

Importing TensorFlow writes C++ log lines straight to file descriptor 2, before Python's logging
is involved, and some of them carry timestamps. A notebook kernel captures that descriptor into
the cell's stored output, which would make every re-execution differ. These helpers set the
environment, silence descriptor 2 for the length of the import only, and seed the framework, so
a chapter's outputs are the same on every run. Nothing here runs at import of :mod:`xentlib`.

TensorFlow's Python wrapper opens its native library with ``RTLD_GLOBAL``, which publishes every
symbol of it, including the copy of LLVM compiled into it, to all libraries loaded afterwards.
PyTorch's Linux wheels bring triton, whose ``libtriton.so`` carries and exports its own LLVM; loaded
after TensorFlow, its symbols bind to TensorFlow's LLVM instead and the process dies in triton's
static initialisers (a segmentation fault). :func:`load_tensorflow` therefore opens TensorFlow's
library with the default local binding; the wheel links its framework libraries explicitly, so
TensorFlow itself does not need the global binding.
"""

import contextlib
import os
import sys

# Settings that must be in the environment before TensorFlow is first imported.
TF_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # only fatal C++ messages
    "TF_ENABLE_ONEDNN_OPTS": "0",  # oneDNN reorders float sums: keep last digits reproducible
    "KERAS_BACKEND": "tensorflow",
}

# TensorFlow imports this module only to switch dlopen to RTLD_GLOBAL; when the import fails it
# keeps the default, local binding (tensorflow/python/pywrap_tensorflow.py).
_TF_GLOBAL_SYMBOLS_MODULE = "tensorflow.python.pywrap_dlopen_global_flags"


@contextlib.contextmanager
def _tensorflow_symbols_local():
    """Within the block, a first import of TensorFlow opens its library with local symbols."""
    if "tensorflow" in sys.modules or _TF_GLOBAL_SYMBOLS_MODULE in sys.modules:
        yield  # already imported (or already decided): nothing to change
        return
    sys.modules[_TF_GLOBAL_SYMBOLS_MODULE] = None  # `import` of a None entry raises ImportError
    try:
        yield
    finally:
        if sys.modules.get(_TF_GLOBAL_SYMBOLS_MODULE, ...) is None:
            del sys.modules[_TF_GLOBAL_SYMBOLS_MODULE]


@contextlib.contextmanager
def _silenced_fd2():
    """Point file descriptor 2 at /dev/null for the duration of the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def load_tensorflow(seed=0):
    """Import TensorFlow and Keras without log noise, seeded, with default kernels.

    TensorFlow's library is opened with local symbols (see the module's docstring), so PyTorch may
    be loaded before or after it in the same process.

    Parameters
    ----------
    seed : int, default 0
        Seed for Python's, NumPy's and TensorFlow's random generators (via
        ``keras.utils.set_random_seed``).

    Returns
    -------
    tuple
        ``(tf, keras)``: the two modules.

    Examples
    --------
    >>> from xentlib.frameworks import load_tensorflow
    >>> tf, keras = load_tensorflow()  # doctest: +SKIP
    """
    for key, value in TF_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    with _silenced_fd2(), _tensorflow_symbols_local():
        import keras
        import tensorflow as tf

        # the first op initialises the runtime, which logs too: do it while fd 2 is silent
        tf.constant(0.0).numpy()
        tf.get_logger().setLevel("ERROR")
        keras.utils.set_random_seed(seed)
        # No tf.config.experimental.enable_op_determinism() (nor TF_DETERMINISTIC_OPS): it swaps
        # the fused softmax cross-entropy kernel for a composed one whose gradient differs, and the
        # book must show what TensorFlow computes by default. The CPU kernels used here are
        # deterministic run to run without it.
    return tf, keras


def load_torch(seed=0):
    """Import PyTorch, seeded, single-threaded-deterministic and with deterministic algorithms.

    Parameters
    ----------
    seed : int, default 0
        Seed passed to ``torch.manual_seed``.

    Returns
    -------
    module
        The ``torch`` module.
    """
    import torch

    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    return torch
