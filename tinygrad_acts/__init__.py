"""tinygrad_acts: a teaching engine for automatic differentiation on numpy tensors, with
every activation function of Keras rebuilt from first principles.

    import tinygrad_acts as ta
    x = ta.Tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = ta.activations.selu(x).sum()
    y.backward()
    x.grad
"""

from . import (
    activations,
    callbacks,
    datasets,
    initializers,
    interop,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    selfnorm,
)
from .autograd import grad
from .config import floatx, set_floatx, set_seed
from .creation import arange, ones, ones_like, randn, zeros, zeros_like
from .explore import explore
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import draw_graph, render_graph
from .jit import jit
from .ops import concatenate, logsumexp, maximum, minimum, stack, where
from .tensor import Tensor
from .trace import trace_backward

__version__ = "0.1.0"

__all__ = [
    # submodules
    "activations",
    "callbacks",
    "datasets",
    "initializers",
    "interop",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "selfnorm",
    # the engine
    "Function",
    "GradcheckError",
    "Tensor",
    "concatenate",
    "draw_graph",
    "enable_grad",
    "explore",
    "floatx",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "jit",
    "logsumexp",
    "maximum",
    "minimum",
    "no_grad",
    "render_graph",
    "set_floatx",
    "set_seed",
    "stack",
    "trace_backward",
    "where",
    "zeros",
    "zeros_like",
    "ones",
    "ones_like",
    "arange",
    "randn",
]
