"""`ta.activations`: the 32 activation functions of `keras.activations` (30 functions, and
`swish` and `hard_swish`, the same objects as `silu` and `hard_silu`), rebuilt from first
principles, plus `get`, `serialize`, `deserialize` and `register`.

Each activation is defined on one page, grouped by family, where it registers itself: a
`Function` with a numerically stable `forward` on numpy arrays and one `backward` rule in
Tensor operations, and the Keras-style function that applies it:

- `rectifiers`: relu, leaky_relu, relu6, elu, selu, celu, threshold;
- `sigmoids`: sigmoid, hard_sigmoid, log_sigmoid, sparse_sigmoid, tanh, hard_tanh, softsign;
- `shrinkage`: soft_shrink, hard_shrink, tanh_shrink;
- `smooth`: softplus, silu, hard_silu, mish, gelu, squareplus, sparse_plus, exponential,
  linear;
- `normalizers` (over an axis): softmax, log_softmax, sparsemax, glu.

The names below, the Tensor methods and everything else that lists activations come from
the registry (`registry`), so a user's activation registered with `register` is known
everywhere too.

    from tinygrad_acts.activations import relu, softmax
    relu(x, negative_slope=0.1)
    x.selu()                      # every activation is also a Tensor method
    x.softmax(axis=0)
"""

from . import normalizers, rectifiers, shrinkage, sigmoids, smooth  # noqa: F401 (they register)
from .registry import ACTIVATIONS, deserialize, get, register, serialize, unregister

# The built-in activations as names of this module: `from tinygrad_acts.activations import relu`.
globals().update(ACTIVATIONS)

__all__ = [*sorted(ACTIVATIONS), "deserialize", "get", "register", "serialize", "unregister"]
