"""`ta.interop`: a model here as a PyTorch module, and back.

    module = ta.interop.to_torch(model)      # torch.nn.Sequential, in eval mode
    model = ta.interop.from_torch(module)    # a Sequential of Dense and activation layers

A `Dense` layer becomes `torch.nn.Linear` (PyTorch keeps the kernel transposed:
`weight = kernel.T`, shape `(units, input_dim)`) followed by its activation. Each
activation becomes PyTorch's own module where PyTorch has one with the same formula, with
Keras's parameters written out where the two libraries' defaults differ:

- `leaky_relu`: Keras's slope is 0.2 (the function) or 0.3 (the `LeakyReLU` layer),
  PyTorch's 0.01;
- `gelu`: Keras's default is the exact erf form, PyTorch's `approximate='none'`;
- `hard_sigmoid` and `hard_silu`: Keras 3's `relu6(x + 3) / 6` is PyTorch's
  `Hardsigmoid` (tf.keras 2's `0.2 x + 0.5` is not);
- `elu`, `celu`: alpha 1 in both.

The others (`exponential`, `sparse_plus`, `sparse_sigmoid`, `sparsemax`, `squareplus`, and
a `ReLU` layer with a threshold or a cap) become small modules that compute the formula.

`torch` is imported only inside these functions. Which module each layer becomes, with its
tensors, is worked out without torch (`torch_plan`): `model.save("m.safetensors")` uses it
to write the same `state_dict` from numpy alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import activations, layers
from .tensor import Tensor

__all__ = ["from_torch", "to_torch", "torch_plan"]

#: Keras's activation names -> (PyTorch module, its arguments). Names in `_FORMULAS` are
#: modules of ours (below), the others are `torch.nn`'s.
TORCH_ACTIVATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "relu": ("ReLU", {}),
    "relu6": ("ReLU6", {}),
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "softplus": ("Softplus", {}),
    "softsign": ("Softsign", {}),
    "selu": ("SELU", {}),
    "elu": ("ELU", {"alpha": 1.0}),
    "celu": ("CELU", {"alpha": 1.0}),
    "gelu": ("GELU", {"approximate": "none"}),
    "silu": ("SiLU", {}),
    "hard_silu": ("Hardswish", {}),
    "hard_sigmoid": ("Hardsigmoid", {}),
    "hard_tanh": ("Hardtanh", {}),
    "leaky_relu": ("LeakyReLU", {"negative_slope": 0.2}),
    "log_sigmoid": ("LogSigmoid", {}),
    "log_softmax": ("LogSoftmax", {"dim": -1}),
    "softmax": ("Softmax", {"dim": -1}),
    "mish": ("Mish", {}),
    "soft_shrink": ("Softshrink", {"lambd": 0.5}),
    "hard_shrink": ("Hardshrink", {"lambd": 0.5}),
    "tanh_shrink": ("Tanhshrink", {}),
    "glu": ("GLU", {"dim": -1}),
    "exponential": ("Exponential", {}),
    "sparse_plus": ("SparsePlus", {}),
    "sparse_sigmoid": ("SparseSigmoid", {}),
    "sparsemax": ("Sparsemax", {"dim": -1}),
    "squareplus": ("Squareplus", {"b": 4.0}),
}


@dataclass
class TorchStep:
    """One module of the `torch.nn.Sequential`: its class name, its arguments, and its
    tensors by `state_dict` name, each with our weight and how it is laid out there
    ('transpose' for Linear's weight, 'flatten' for PReLU's, 'same' otherwise)."""

    module: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    tensors: dict[str, tuple[Tensor, str]] = field(default_factory=dict)

    def arrays(self) -> dict[str, np.ndarray]:
        """The tensors as PyTorch lays them out (numpy arrays)."""
        return {name: _to_torch_layout(weight.data, layout)
                for name, (weight, layout) in self.tensors.items()}


def _to_torch_layout(array: np.ndarray, layout: str) -> np.ndarray:
    if layout == "transpose":
        return np.ascontiguousarray(array.T)
    if layout == "flatten":
        return np.ascontiguousarray(array.reshape(-1))
    return np.ascontiguousarray(array)


def from_torch_layout(array: np.ndarray, weight: Tensor, layout: str) -> np.ndarray:
    """A `state_dict` array in our weight's layout (checked against its shape)."""
    if layout == "transpose":
        array = array.T
    elif layout == "flatten" and array.size == weight.size:
        array = array.reshape(weight.shape)
    return array


def _activation_step(name: str, layer: layers.Layer) -> TorchStep:
    if name not in TORCH_ACTIVATIONS:
        raise ValueError(f"{_where(layer)}: the activation {name!r} has no PyTorch module here")
    module, kwargs = TORCH_ACTIVATIONS[name]
    return TorchStep(module, dict(kwargs))


def _dense(layer: layers.Dense) -> list[TorchStep]:
    tensors = {"weight": (layer.kernel, "transpose")}
    if layer.bias is not None:
        tensors["bias"] = (layer.bias, "same")
    steps = [TorchStep("Linear", {"in_features": layer.input_dim, "out_features": layer.units,
                                  "bias": layer.bias is not None}, tensors)]
    if layer.activation is not None:
        steps.append(_activation_step(_name_of(layer.activation, layer), layer))
    return steps


def _activation_layer(layer: layers.Activation) -> list[TorchStep]:
    name = _name_of(layer.activation, layer)
    return [] if name == "linear" else [_activation_step(name, layer)]


def _relu(layer: layers.ReLU) -> list[TorchStep]:
    params = (layer.negative_slope, layer.max_value, layer.threshold)
    if params == (0.0, None, 0.0):
        return [TorchStep("ReLU")]
    if params == (0.0, 6.0, 0.0):
        return [TorchStep("ReLU6")]
    return [TorchStep("KerasReLU", {"negative_slope": layer.negative_slope,
                                    "max_value": layer.max_value, "threshold": layer.threshold})]


def _softmax(layer: layers.Softmax) -> list[TorchStep]:
    if not isinstance(layer.axis, int):
        raise ValueError(f"{_where(layer)}: PyTorch's Softmax takes one axis, this layer has "
                         f"axis={layer.axis}")
    return [TorchStep("Softmax", {"dim": layer.axis})]


def _prelu(layer: layers.PReLU) -> list[TorchStep]:
    alpha = layer.alpha
    if alpha.ndim > 1 and alpha.size != 1:
        raise ValueError(
            f"{_where(layer)}: PyTorch's PReLU keeps one slope per channel (axis 1); this "
            f"layer's slopes have shape {alpha.shape}"
        )
    return [TorchStep("PReLU", {"num_parameters": int(alpha.size)},
                      {"weight": (alpha, "flatten")})]


#: Our layers -> the PyTorch modules each becomes. Adding a layer is one entry.
TORCH_LAYERS: dict[type, Callable[[Any], list[TorchStep]]] = {
    layers.Dense: _dense,
    layers.Activation: _activation_layer,
    layers.ReLU: _relu,
    layers.LeakyReLU: lambda layer: [
        TorchStep("LeakyReLU", {"negative_slope": float(layer.negative_slope)})],
    layers.ELU: lambda layer: [TorchStep("ELU", {"alpha": float(layer.alpha)})],
    layers.ThresholdedReLU: lambda layer: [
        TorchStep("Threshold", {"threshold": float(layer.theta), "value": 0.0})],
    layers.Softmax: _softmax,
    layers.Dropout: lambda layer: [TorchStep("Dropout", {"p": layer.rate})],
    layers.AlphaDropout: lambda layer: [TorchStep("AlphaDropout", {"p": layer.rate})],
    layers.PReLU: _prelu,
}


def _where(layer: layers.Layer) -> str:
    return f"{layer.name} ({type(layer).__name__})"


def _layer_steps(layer: layers.Layer) -> list[TorchStep]:
    """The PyTorch modules one layer becomes."""
    if type(layer) not in TORCH_LAYERS:
        raise ValueError(f"{_where(layer)}: this layer has no PyTorch module here (known: "
                         f"{', '.join(cls.__name__ for cls in TORCH_LAYERS)})")
    return TORCH_LAYERS[type(layer)](layer)


def _name_of(activation: Any, layer: layers.Layer) -> str:
    try:
        return activations.serialize(activation)
    except ValueError:
        raise ValueError(
            f"{_where(layer)}: its activation {activation!r:.60} is not one of Keras's, so it "
            "has no PyTorch module here"
        ) from None


def torch_plan(model: Any) -> list[TorchStep]:
    """The modules `to_torch(model)` is made of, in order, worked out without torch."""
    if not model.built:
        raise ValueError(
            f"{model.name}: build the model first (call it on data, or give the first layer "
            "input_dim=...) so that its weights exist"
        )
    return [step for layer in model.layers for step in _layer_steps(layer)]


def state_dict_arrays(model: Any) -> dict[str, np.ndarray]:
    """`to_torch(model).state_dict()` as numpy arrays, without torch."""
    return {f"{i}.{name}": array for i, step in enumerate(torch_plan(model))
            for name, array in step.arrays().items()}


def state_dict_targets(model: Any) -> dict[str, tuple[Tensor, str]]:
    """Each `state_dict` name of `to_torch(model)`, with our weight and its layout."""
    return {f"{i}.{name}": target for i, step in enumerate(torch_plan(model))
            for name, target in step.tensors.items()}


# ---------------------------------------------------------------------------
# PyTorch.
# ---------------------------------------------------------------------------


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            "ta.interop needs PyTorch: pip install torch (it is never installed with "
            "tinygrad_acts, see https://pytorch.org for the CPU build)"
        ) from None
    return torch


@functools.cache
def _formulas() -> dict[str, type]:
    """The modules PyTorch lacks, each computing Keras's formula."""
    torch = _torch()
    nn = torch.nn

    class Exponential(nn.Module):
        """exp(x)."""

        def forward(self, x):
            return torch.exp(x)

    class SparsePlus(nn.Module):
        """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."""

        def forward(self, x):
            return torch.where(x <= -1, torch.zeros_like(x),
                               torch.where(x >= 1, x, (x + 1) ** 2 / 4))

    class SparseSigmoid(nn.Module):
        """clip((x + 1) / 2, 0, 1)."""

        def forward(self, x):
            return torch.clamp((x + 1) / 2, 0, 1)

    class Squareplus(nn.Module):
        """(x + sqrt(x^2 + b)) / 2."""

        def __init__(self, b: float = 4.0):
            super().__init__()
            self.b = b

        def forward(self, x):
            return (x + torch.sqrt(x * x + self.b)) / 2

        def extra_repr(self):
            return f"b={self.b}"

    class Sparsemax(nn.Module):
        """The Euclidean projection of x onto the simplex (Martins & Astudillo, 2016)."""

        def __init__(self, dim: int = -1):
            super().__init__()
            self.dim = dim

        def forward(self, x):
            z = x.movedim(self.dim, -1)
            z_sorted = torch.sort(z, dim=-1, descending=True).values
            k = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype, device=z.device)
            cumulative = z_sorted.cumsum(-1)
            support = (1 + k * z_sorted) > cumulative
            k_z = support.sum(-1, keepdim=True)
            tau = (cumulative.gather(-1, k_z - 1) - 1) / k_z.to(z.dtype)
            return torch.clamp(z - tau, min=0).movedim(-1, self.dim)

        def extra_repr(self):
            return f"dim={self.dim}"

    class KerasReLU(nn.Module):
        """Keras's ReLU layer: min(x, max_value) for x > threshold, else
        negative_slope * (x - threshold)."""

        def __init__(self, negative_slope: float = 0.0, max_value: float | None = None,
                     threshold: float = 0.0):
            super().__init__()
            self.negative_slope, self.max_value, self.threshold = (
                negative_slope, max_value, threshold)

        def forward(self, x):
            passed = x if self.max_value is None else torch.clamp(x, max=self.max_value)
            return torch.where(x > self.threshold, passed,
                               self.negative_slope * (x - self.threshold))

        def extra_repr(self):
            return (f"negative_slope={self.negative_slope}, max_value={self.max_value}, "
                    f"threshold={self.threshold}")

    return {cls.__name__: cls for cls in (Exponential, SparsePlus, SparseSigmoid, Squareplus,
                                          Sparsemax, KerasReLU)}


def to_torch(model: Any) -> Any:
    """`model` as a `torch.nn.Sequential` computing the same (to float rounding), with
    copies of its weights, in eval mode (dropout off, as `predict`; call `.train()` to
    train it).

    Raises:
        ImportError: without PyTorch.
        ValueError: for a layer or activation that has no PyTorch module here (named).
    """
    torch = _torch()
    formulas = _formulas()
    modules = []
    for step in torch_plan(model):
        cls = formulas.get(step.module) or getattr(torch.nn, step.module)
        module = cls(**step.kwargs)
        with torch.no_grad():
            for name, array in step.arrays().items():
                parameter = getattr(module, name)
                parameter.data = torch.from_numpy(array.copy())
        modules.append(module)
    return torch.nn.Sequential(*modules).eval()


def _back_from_torch(module: Any) -> tuple[str | None, layers.Layer | None, list[np.ndarray]]:
    """What one PyTorch module (not Linear) comes back as: an activation's name (folded into
    the Dense before it when there is one), or a layer with its weights."""
    name = type(module).__name__
    if name == "KerasReLU":
        return None, layers.ReLU(negative_slope=module.negative_slope,
                                 max_value=module.max_value, threshold=module.threshold), []
    if name == "LeakyReLU" and module.negative_slope != 0.2:
        return None, layers.LeakyReLU(negative_slope=float(module.negative_slope)), []
    if name == "ELU" and module.alpha != 1.0:
        return None, layers.ELU(alpha=float(module.alpha)), []
    if name == "Softmax" and module.dim not in (-1, None):
        return None, layers.Softmax(axis=module.dim), []
    if name == "Threshold":
        if module.value != 0:
            raise ValueError(f"from_torch: {module} has value={module.value}; only 0 (Keras's "
                             "ThresholdedReLU) is supported")
        return None, layers.ThresholdedReLU(theta=float(module.threshold)), []
    if name in ("Dropout", "AlphaDropout"):
        return None, getattr(layers, name)(rate=float(module.p)), []
    if name == "PReLU":
        return None, layers.PReLU(), [module.weight.detach().cpu().numpy()]
    if name == "Identity":
        return "linear", None, []
    for keras_name, (torch_name, kwargs) in TORCH_ACTIVATIONS.items():
        if torch_name != name:
            continue
        differs = {k: getattr(module, k) for k, v in kwargs.items()
                   if getattr(module, k) != v and not (k == "dim" and getattr(module, k) is None)}
        if name == "Softplus" and (module.beta != 1 or module.threshold != 20):
            differs = {"beta": module.beta, "threshold": module.threshold}
        if name == "Hardtanh" and (module.min_val, module.max_val) != (-1.0, 1.0):
            differs = {"min_val": module.min_val, "max_val": module.max_val}
        if differs:
            raise ValueError(
                f"from_torch: {module} has {differs}, which Keras's {keras_name!r} does not "
                f"(it uses {kwargs or 'no arguments'})"
            )
        return keras_name, None, []
    raise ValueError(f"from_torch: the module {module} ({name}) has no layer here")


def from_torch(module: Any, name: str | None = None) -> Any:
    """A `Sequential` from a `torch.nn.Sequential` of `Linear` layers and activation
    modules (and Dropout, AlphaDropout, PReLU): each `Linear` becomes a `Dense` (kernel =
    weight.T), taking the activation that follows it; other modules become layers.

    Raises:
        ValueError: for a module that has no layer here, or whose arguments differ from
            Keras's (named).
    """
    torch = _torch()
    from .models import Sequential

    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch: expected a torch.nn.Sequential, received "
                        f"{type(module).__name__}")
    built: list[layers.Layer] = []
    weights: list[tuple[layers.Layer, list[np.ndarray]]] = []
    input_dim = None
    for child in module:
        if isinstance(child, torch.nn.Linear):
            kernel = child.weight.detach().cpu().numpy().T
            layer = layers.Dense(child.out_features, use_bias=child.bias is not None,
                                 dtype=kernel.dtype.name)
            if not built:
                input_dim = child.in_features
            arrays = [kernel] + ([child.bias.detach().cpu().numpy()] if child.bias is not None
                                 else [])
            built.append(layer)
            weights.append((layer, arrays))
            continue
        activation, layer, arrays = _back_from_torch(child)
        if activation == "linear":
            continue
        if activation is not None:
            previous = built[-1] if built else None
            if type(previous) is layers.Dense and previous.activation is None:
                previous.activation = activations.get(activation)
                continue
            layer = layers.Activation(activation)
        if arrays:
            weights.append((layer, arrays))
        built.append(layer)
    model = Sequential(built, name=name)
    if input_dim is not None and type(built[0]) is layers.Dense:
        model.build((None, input_dim))
    for layer, arrays in weights:
        if not layer.built:
            raise ValueError(
                f"from_torch: cannot place the weights of {layer.name} before the model knows "
                "its input width (start the module with a Linear)"
            )
        if isinstance(layer, layers.PReLU):
            arrays = [arrays[0].reshape(layer.alpha.shape) if arrays[0].size == layer.alpha.size
                      else np.broadcast_to(arrays[0], layer.alpha.shape)]
        layer.set_weights([a.astype(layer.dtype) for a in arrays])
    return model
