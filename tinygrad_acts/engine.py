"""The engine, in four files, each one idea (read them in this order):

- `tensor.py`: `Tensor`, a numpy array that remembers the operation that made it;
- `function.py`: `Function`, the one way an operation is defined: `forward` on arrays,
  `backward` in Tensor operations, and the context (`ctx`) that links them;
- `ops.py`: the primitive operations (add, mul, matmul, exp, sum, reshape, ...), each a
  Function with its derivative;
- `autograd.py`: the backward pass: order the graph, propagate, store `.grad`.

Around them: `grad_mode.py` (`no_grad`), `validation.py` (checking what users pass). This
module gathers the two names everything else is built on.
"""

from .function import Function
from .tensor import Tensor

__all__ = ["Function", "Tensor"]
