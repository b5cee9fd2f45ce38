"""`ta.interop`: a model here as a PyTorch module, and back.

    module = ta.interop.to_torch(model)      # torch.nn.Sequential, in eval mode
    model = ta.interop.from_torch(module)    # a Sequential of Dense and activation layers,
                                             # and the normalizations

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

`BatchNormalization` becomes `BatchNorm1d` (inputs (batch, features); PyTorch's momentum is
the new batch's weight, `1 - momentum` of Keras's; its `num_batches_tracked` buffer is
written as 0, and in training it keeps the unbiased batch variance where Keras keeps the
biased one), `LayerNormalization` over the last axis `LayerNorm`; other axes are refused.

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
    #: PyTorch's own buffers that have no weight here (BatchNorm1d's num_batches_tracked),
    #: written as these values and not read back.
    buffers: dict[str, np.ndarray] = field(default_factory=dict)

    def arrays(self) -> dict[str, np.ndarray]:
        """The tensors as PyTorch lays them out (numpy arrays), then the buffers."""
        return {**{name: _to_torch_layout(weight.data, layout)
                   for name, (weight, layout) in self.tensors.items()},
                **{name: array.copy() for name, array in self.buffers.items()}}


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


def _affine(layer: layers.Layer, torch_name: str) -> None:
    """PyTorch's BatchNorm1d has gamma and beta together or neither."""
    if layer.scale != layer.center:
        raise ValueError(
            f"{_where(layer)}: PyTorch's {torch_name} has gamma and beta together or neither; "
            f"this layer has scale={layer.scale}, center={layer.center}"
        )


def _batch_normalization(layer: layers.BatchNormalization,
                         input_shape: tuple[int, ...]) -> list[TorchStep]:
    """BatchNorm1d: PyTorch's momentum is the weight of the new batch, 1 - Keras's; its
    features are on axis 1, so only inputs (batch, features) map as they are."""
    if len(input_shape) != 2 or layer.axis not in (-1, 1):
        raise ValueError(
            f"{_where(layer)}: PyTorch's BatchNorm1d normalizes inputs (batch, features) over "
            f"the batch; this layer gets inputs of shape {tuple(input_shape)} with "
            f"axis={layer.axis}"
        )
    _affine(layer, "BatchNorm1d")
    tensors = {}
    if layer.scale:
        tensors = {"weight": (layer.gamma, "same"), "bias": (layer.beta, "same")}
    tensors.update(running_mean=(layer.moving_mean, "same"),
                   running_var=(layer.moving_variance, "same"))
    return [TorchStep("BatchNorm1d", {
        "num_features": int(layer.moving_mean.shape[0]), "eps": layer.epsilon,
        "momentum": 1.0 - layer.momentum, "affine": layer.scale,
    }, tensors, {"num_batches_tracked": np.array(0, dtype=np.int64)})]


def _layer_normalization(layer: layers.LayerNormalization,
                         input_shape: tuple[int, ...]) -> list[TorchStep]:
    """LayerNorm over the last axis (PyTorch's normalizes the last axes; Keras's any)."""
    rank = len(input_shape)
    axes = layer.axis if isinstance(layer.axis, list) else [layer.axis]
    if [a % rank for a in axes] != [rank - 1]:
        raise ValueError(
            f"{_where(layer)}: only normalizing over the last axis (axis=-1) maps to "
            f"PyTorch's LayerNorm here; this layer has axis={layer.axis} for inputs of "
            f"shape {tuple(input_shape)}"
        )
    if layer.center and not layer.scale:
        raise ValueError(f"{_where(layer)}: PyTorch's LayerNorm has no beta without gamma; "
                         "this layer has scale=False, center=True")
    tensors = {}
    if layer.scale:
        tensors["weight"] = (layer.gamma, "same")
    if layer.center:
        tensors["bias"] = (layer.beta, "same")
    return [TorchStep("LayerNorm", {
        "normalized_shape": [int(input_shape[-1])], "eps": layer.epsilon,
        "elementwise_affine": layer.scale, "bias": layer.center,
    }, tensors)]


#: Our layers -> the PyTorch modules each becomes, given the layer and the shape of its
#: inputs. Adding a layer is one entry.
TORCH_LAYERS: dict[type, Callable[[Any, tuple[int, ...]], list[TorchStep]]] = {
    layers.Dense: lambda layer, shape: _dense(layer),
    layers.Activation: lambda layer, shape: _activation_layer(layer),
    layers.ReLU: lambda layer, shape: _relu(layer),
    layers.LeakyReLU: lambda layer, shape: [
        TorchStep("LeakyReLU", {"negative_slope": float(layer.negative_slope)})],
    layers.ELU: lambda layer, shape: [TorchStep("ELU", {"alpha": float(layer.alpha)})],
    layers.ThresholdedReLU: lambda layer, shape: [
        TorchStep("Threshold", {"threshold": float(layer.theta), "value": 0.0})],
    layers.Softmax: lambda layer, shape: _softmax(layer),
    layers.Dropout: lambda layer, shape: [TorchStep("Dropout", {"p": layer.rate})],
    layers.AlphaDropout: lambda layer, shape: [TorchStep("AlphaDropout", {"p": layer.rate})],
    layers.PReLU: lambda layer, shape: _prelu(layer),
    layers.BatchNormalization: _batch_normalization,
    layers.LayerNormalization: _layer_normalization,
}


def _where(layer: layers.Layer) -> str:
    return f"{layer.name} ({type(layer).__name__})"


def _layer_steps(layer: layers.Layer, input_shape: tuple[int, ...]) -> list[TorchStep]:
    """The PyTorch modules one layer becomes."""
    if type(layer) not in TORCH_LAYERS:
        raise ValueError(f"{_where(layer)}: this layer has no PyTorch module here (known: "
                         f"{', '.join(cls.__name__ for cls in TORCH_LAYERS)})")
    return TORCH_LAYERS[type(layer)](layer, tuple(input_shape))


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
    steps, shape = [], tuple(model._input_shape)
    for layer in model.layers:
        steps.extend(_layer_steps(layer, shape))
        shape = layer.compute_output_shape(shape)
    return steps


def state_dict_arrays(model: Any) -> dict[str, np.ndarray]:
    """`to_torch(model).state_dict()` as numpy arrays, without torch."""
    return {f"{i}.{name}": array for i, step in enumerate(torch_plan(model))
            for name, array in step.arrays().items()}


def state_dict_targets(model: Any) -> dict[str, tuple[Tensor, str]]:
    """Each `state_dict` name of `to_torch(model)`, with our weight and its layout."""
    return {f"{i}.{name}": target for i, step in enumerate(torch_plan(model))
            for name, target in step.tensors.items()}


def state_dict_buffers(model: Any) -> dict[str, np.ndarray]:
    """The `state_dict` names of `to_torch(model)` that hold PyTorch's own bookkeeping
    (BatchNorm1d's num_batches_tracked: 0 when written here, unused with a momentum),
    with the values written."""
    return {f"{i}.{name}": array for i, step in enumerate(torch_plan(model))
            for name, array in step.buffers.items()}


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
    if name == "BatchNorm1d":
        return None, *_batch_normalization_from_torch(module)
    if name == "LayerNorm":
        return None, *_layer_normalization_from_torch(module)
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


def _numpy(tensor: Any) -> np.ndarray:
    return tensor.detach().cpu().numpy()


def _batch_normalization_from_torch(module: Any) -> tuple[layers.Layer, list[np.ndarray]]:
    if module.momentum is None or not module.track_running_stats:
        raise ValueError(
            f"from_torch: {module} keeps "
            + ("no running statistics" if not module.track_running_stats
               else "a cumulative average (momentum=None)")
            + "; Keras's BatchNormalization keeps moving averages with a momentum"
        )
    arrays = [_numpy(module.weight), _numpy(module.bias)] if module.affine else []
    arrays += [_numpy(module.running_mean), _numpy(module.running_var)]
    layer = layers.BatchNormalization(momentum=1.0 - float(module.momentum),
                                      epsilon=float(module.eps), center=module.affine,
                                      scale=module.affine, dtype=arrays[-1].dtype.name)
    return layer, arrays


def _layer_normalization_from_torch(module: Any) -> tuple[layers.Layer, list[np.ndarray]]:
    if len(module.normalized_shape) != 1:
        raise ValueError(
            f"from_torch: {module} normalizes over its last {len(module.normalized_shape)} "
            "axes; only LayerNorm over the last axis comes back here (axis=-1)"
        )
    arrays = [_numpy(p) for p in (module.weight, module.bias) if p is not None]
    dtype = arrays[0].dtype.name if arrays else None
    layer = layers.LayerNormalization(axis=-1, epsilon=float(module.eps),
                                      scale=module.weight is not None,
                                      center=module.bias is not None, dtype=dtype)
    return layer, arrays


def from_torch(module: Any, name: str | None = None) -> Any:
    """A `Sequential` from a `torch.nn.Sequential` of `Linear` layers and activation
    modules (and Dropout, AlphaDropout, PReLU, BatchNorm1d, LayerNorm over the last axis):
    each `Linear` becomes a `Dense` (kernel = weight.T), taking the activation that follows
    it; other modules become layers (BatchNorm1d's momentum m becomes Keras's 1 - m; its
    num_batches_tracked is not kept).

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
