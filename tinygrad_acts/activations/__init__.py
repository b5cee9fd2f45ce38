"""`ta.activations`: the 32 activation functions of `keras.activations` (30 functions, and
`swish` and `hard_swish`, the same objects as `silu` and `hard_silu`), rebuilt from first
principles, plus `get`, `serialize` and `deserialize`.

Each activation is a `Function` with its formula and derivative in the docstring, a
numerically stable `forward` on numpy arrays and a `backward` in Tensor operations, grouped
by family:

- `rectifiers`: relu, leaky_relu, relu6, elu, selu, celu, threshold;
- `sigmoids`: sigmoid, hard_sigmoid, log_sigmoid, sparse_sigmoid, tanh, hard_tanh, softsign;
- `shrinkage`: soft_shrink, hard_shrink, tanh_shrink;
- `smooth`: softplus, silu, hard_silu, mish, gelu, squareplus, sparse_plus, exponential,
  linear;
- `normalizers` (over an axis): softmax, log_softmax, sparsemax, glu.

    from tinygrad_acts.activations import relu, softmax
    relu(x, negative_slope=0.1)
    x.selu()                      # every activation is also a Tensor method
    x.softmax(axis=0)
"""

from ..tensor import Tensor
from .normalizers import glu, log_softmax, softmax, sparsemax
from .rectifiers import celu, elu, leaky_relu, relu, relu6, selu, threshold
from .registry import ACTIVATIONS, deserialize, get, serialize
from .shrinkage import hard_shrink, soft_shrink, tanh_shrink
from .sigmoids import (
    hard_sigmoid,
    hard_tanh,
    log_sigmoid,
    sigmoid,
    softsign,
    sparse_sigmoid,
    tanh,
)
from .smooth import (
    exponential,
    gelu,
    hard_silu,
    hard_swish,
    linear,
    mish,
    silu,
    softplus,
    sparse_plus,
    squareplus,
    swish,
)

__all__ = [
    "celu",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
]

# Every activation is also a Tensor method: `t.selu()`, `t.softmax(axis=0)`, `t.relu(max_value=6)`.
# The engine knows nothing of activations, so they are attached here, once they all exist; a
# plain function stored on the class becomes a method whose first argument is the tensor.
for _name, _function in ACTIVATIONS.items():
    setattr(Tensor, _name, _function)
del _name, _function
