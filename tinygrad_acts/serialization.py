"""Keras 3's configs: what `model.save("m.keras")` writes in `config.json`, and reads back.

Keras describes every object of a model as a small dict,

    {"module": "keras.layers", "class_name": "Dense", "config": {...},
     "registered_name": None}

where `config` is the object's `get_config()`, the arguments that rebuild it through
`from_config`. Ours give the same arguments under the same names, so the dict is built
from them; what Keras has and we don't (regularizers, constraints, gradient clipping...)
is written with the value that means "off", and must have that value when a Keras file is
read (a file that uses one gets a clear error naming it, rather than a model that quietly
computes something else).

Reading never runs code from the file: a class is found only in the tables below, by its
name; anything else (a `Lambda` layer, a custom object) is refused with its name.

Adding a class is one entry in its table: e.g. LayerNormalization is

    "LayerNormalization": Entry(layers.LayerNormalization),

(Keras's `rms_scaling`, which ours does not take, must be off), and its weights go to and
from Keras files in Keras's order: the trainable ones, then the others.
"""

from __future__ import annotations

import copy
import inspect
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import initializers, layers, losses, optimizers

__all__ = [
    "LAYERS",
    "Entry",
    "deserialize",
    "layer_from_config",
    "model_config",
    "model_from_config",
    "serialize",
]


@dataclass(frozen=True)
class Entry:
    """A class Keras knows under the same name, and Keras's arguments it does not take,
    with the value each must have (the one that means "off")."""

    cls: type
    keras_only: dict[str, Any] = field(default_factory=dict)


_NO_REGULARIZER = {"kernel_regularizer": None, "bias_regularizer": None,
                   "kernel_constraint": None, "bias_constraint": None}

#: The layers a `.keras` file may hold, by Keras class name.
LAYERS: dict[str, Entry] = {
    "Dense": Entry(layers.Dense, {**_NO_REGULARIZER, "quantization_config": None}),
    "Activation": Entry(layers.Activation),
    "ReLU": Entry(layers.ReLU),
    "LeakyReLU": Entry(layers.LeakyReLU),
    "PReLU": Entry(layers.PReLU, {"alpha_regularizer": None, "alpha_constraint": None}),
    "ELU": Entry(layers.ELU),
    "Softmax": Entry(layers.Softmax),
    "Dropout": Entry(layers.Dropout, {"noise_shape": None}),
    "AlphaDropout": Entry(layers.AlphaDropout, {"noise_shape": None}),
    "BatchNormalization": Entry(layers.BatchNormalization),
    "LayerNormalization": Entry(layers.LayerNormalization),
}

_AXES = {"input_axes": None, "output_axes": None}  # Keras 3.15's fan axes: None is the default
_VARIANCE_SCALING = ("VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal",
                     "HeUniform", "LecunNormal", "LecunUniform")

#: Initializers, by Keras class name.
INITIALIZERS: dict[str, Entry] = {
    cls.__name__: Entry(cls, dict(_AXES) if cls.__name__ in _VARIANCE_SCALING else {})
    for cls in initializers._CLASSES
}

#: Optimizers, by Keras class name: their `get_config` is Keras's (every key Keras writes).
OPTIMIZERS: dict[str, Entry] = {cls.__name__: Entry(cls) for cls in optimizers._CLASSES}

#: Losses, by Keras class name.
LOSSES: dict[str, Entry] = {
    "MeanSquaredError": Entry(losses.MeanSquaredError),
    "MeanAbsoluteError": Entry(losses.MeanAbsoluteError),
    "BinaryCrossentropy": Entry(losses.BinaryCrossentropy),
    "CategoricalCrossentropy": Entry(losses.CategoricalCrossentropy),
    "SparseCategoricalCrossentropy": Entry(losses.SparseCategoricalCrossentropy,
                                           {"ignore_class": None}),
}

_TABLES: dict[str, tuple[str, dict[str, Entry]]] = {
    "layer": ("keras.layers", LAYERS),
    "initializer": ("keras.initializers", INITIALIZERS),
    "optimizer": ("keras.optimizers", OPTIMIZERS),
    "loss": ("keras.losses", LOSSES),
}


# ---------------------------------------------------------------------------
# Writing.
# ---------------------------------------------------------------------------


def _dtype_policy(dtype: str) -> dict[str, Any]:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": dtype},
            "registered_name": None}


def _entry_for(obj: Any, kind: str) -> tuple[str, str, Entry]:
    module, table = _TABLES[kind]
    for class_name, entry in table.items():
        if type(obj) is entry.cls:
            return module, class_name, entry
    raise ValueError(
        f"cannot write {type(obj).__name__} ({obj!r:.80}) in Keras's format: Keras files "
        f"here hold the {kind}s {', '.join(table)}"
    )


def serialize(obj: Any, kind: str) -> dict[str, Any]:
    """`obj` (a layer, initializer, optimizer or loss: `kind`) as Keras writes it."""
    module, class_name, entry = _entry_for(obj, kind)
    config = {**obj.get_config(), **copy.deepcopy(entry.keras_only)}
    if kind == "layer":
        config["dtype"] = _dtype_policy(config["dtype"])
        for key, value in config.items():
            if key.endswith("_initializer") and not isinstance(value, (dict, type(None))):
                config[key] = serialize(value, "initializer")  # an Initializer object
            elif key.endswith("_initializer") and isinstance(value, dict):
                config[key] = serialize(initializers.deserialize(value), "initializer")
        if "activation" in config:
            config["activation"] = _activation_name(obj, config["activation"])
    if kind == "optimizer" and callable(config["learning_rate"]):
        raise ValueError(
            f"{type(obj).__name__}'s learning_rate is a function ({config['learning_rate']!r:.60}"
            "): Keras's file holds a number or a schedule (ta.optimizers.schedules)"
        )
    if kind == "optimizer" and isinstance(config["learning_rate"], (int, float)):
        # Keras keeps the rate in a float32 variable: its config shows the float32 value
        config["learning_rate"] = float(np.float32(config["learning_rate"]))
    return {"module": module, "class_name": class_name, "config": config,
            "registered_name": None}


def _activation_name(layer: Any, activation: Any) -> str:
    from . import activations

    if isinstance(activation, str):
        return activations.serialize(activations.get(activation))
    if activation is None:
        return "linear"
    try:
        return activations.serialize(activation)
    except ValueError:
        raise ValueError(
            f"{layer.name}: its activation {activation!r:.60} is not one of Keras's, so the "
            "layer cannot be written in Keras's format"
        ) from None


def model_config(model: Any) -> dict[str, Any]:
    """A built `Sequential` as Keras's `config.json`: its layers, after an `InputLayer`,
    and how it was compiled (optimizer, loss, metrics) when it was."""
    if not model.built:
        raise ValueError(
            f"{model.name}: build the model first (call it on data, or give the first layer "
            "input_dim=...), so that its input shape and weights exist"
        )
    input_shape = [None, *model._input_shape[1:]]
    dtype = model._dtype()
    layer_configs = [{
        "module": "keras.layers", "class_name": "InputLayer",
        "config": {"batch_shape": input_shape, "dtype": dtype, "sparse": False,
                   "ragged": False, "name": "input_layer", "optional": False},
        "registered_name": None,
    }]
    shape = tuple(model._input_shape)
    for layer in model.layers:
        entry = serialize(layer, "layer")
        if type(layer).build is not layers.Layer.build:  # as Keras: layers that build weights
            entry["build_config"] = {"input_shape": [None, *shape[1:]]}
        layer_configs.append(entry)
        shape = layer.compute_output_shape(shape)
    config = {
        "module": "keras", "class_name": "Sequential",
        "config": {"name": model.name, "trainable": True, "dtype": _dtype_policy(dtype),
                   "layers": layer_configs, "build_input_shape": input_shape},
        "registered_name": None,
        "build_config": {"input_shape": input_shape},
    }
    if model.optimizer is not None and model.loss is not None:
        try:
            loss = _loss_config(model.loss)
            optimizer = serialize(model.optimizer, "optimizer")
        except ValueError as e:
            warnings.warn(f"{model.name}: saved uncompiled: {e}", stacklevel=3)
            return config
        metric_names = [name for name in map(_metric_name, model._metric_ids) if name]
        config["compile_config"] = {
            "optimizer": optimizer,
            "loss": loss,
            "loss_weights": None,
            "metrics": metric_names or None,
            "weighted_metrics": None,
            "run_eagerly": False,
            "steps_per_execution": 1,
            "jit_compile": "auto",
        }
    return config


def _loss_config(loss: Any) -> Any:
    """A loss given by name is written as its name, as Keras does; a Loss object as a dict."""
    if type(loss) is losses.LossFunctionWrapper and loss.fn in losses._FUNCTIONS:
        return loss.name if losses._BY_NAME.get(loss.name) is loss.fn else loss.fn.__name__
    return serialize(loss, "loss")


def _metric_name(metric: Any) -> str | None:
    """A metric as Keras's compile_config lists it (a name), or None (with a warning) for
    one of the user's, which Keras could not find."""
    from . import metrics

    name = metric if isinstance(metric, str) else metric.name
    if isinstance(metric, str) or metrics._BY_NAME.get(name) is not None:
        return name
    warnings.warn(f"the metric {name!r} has no Keras name: it is left out of the file",
                  stacklevel=4)
    return None


# ---------------------------------------------------------------------------
# Reading.
# ---------------------------------------------------------------------------


def _check_dict(config: Any, what: str) -> dict[str, Any]:
    if not isinstance(config, dict):
        raise ValueError(f"{what}: expected a dict, received {config!r:.80}")
    return config


def _arguments(config: dict[str, Any], entry: Entry, class_name: str) -> dict[str, Any]:
    """The constructor's arguments from a Keras config: Keras's own arguments are dropped
    when they are off, and refused with their name when they are on."""
    arguments = {}
    for key, value in config.items():
        if key in entry.keras_only or key not in _parameters(entry.cls):
            off = entry.keras_only.get(key)
            if value is not None and value != off:
                raise ValueError(
                    f"{class_name}: Keras's argument {key}={value!r:.60} is not supported by "
                    "tinygrad_acts (only its default, "
                    f"{off!r}, is); remove it from the Keras model to move it here"
                )
            continue
        arguments[key] = value
    return arguments


def _parameters(cls: type) -> set[str]:
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters
        names.update(n for n, p in params.items()
                     if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and n != "self")
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            break
    return names


def deserialize(config: Any, kind: str) -> Any:
    """An object (layer, initializer, optimizer or loss) from Keras's dict; only classes of
    the tables are made, from their names."""
    module, table = _TABLES[kind]
    if kind == "initializer" and isinstance(config, str):
        return initializers.get(config)
    config = _check_dict(config, f"a Keras {kind}")
    class_name = config.get("class_name")
    if config.get("registered_name") not in (None, class_name) or class_name not in table:
        name = config.get("registered_name") or class_name
        raise ValueError(
            f"the Keras {kind} {name!r} is not supported by tinygrad_acts (it reads "
            f"{', '.join(table)})"
        )
    entry = table[class_name]
    arguments = _arguments(_check_dict(config.get("config", {}), class_name), entry,
                           class_name)
    if kind == "layer":
        arguments = _layer_arguments(arguments)
    return entry.cls.from_config(arguments)


def _layer_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    dtype = arguments.get("dtype")
    if isinstance(dtype, dict):  # Keras 3's DTypePolicy; older files wrote the name
        dtype = dtype.get("config", {}).get("name")
    if dtype is not None and dtype not in ("float16", "float32", "float64"):
        raise ValueError(f"the dtype policy {dtype!r} is not supported by tinygrad_acts")
    arguments["dtype"] = dtype
    for key, value in arguments.items():
        if key.endswith("_initializer") and value is not None:
            arguments[key] = deserialize(value, "initializer")
    return arguments


def layer_from_config(config: Any) -> Any:
    """A layer from Keras's dict (`{'class_name': 'Dense', 'config': {...}}`)."""
    return deserialize(config, "layer")


def model_from_config(config: Any, compile: bool = True) -> Any:
    """A `Sequential` from Keras's `config.json` (a dict), built, and compiled when the
    config says how (and `compile` is True)."""
    from .models import Sequential

    config = _check_dict(config, "a Keras model")
    if config.get("class_name") != "Sequential" or config.get("registered_name") not in (
            None, "Sequential"):
        raise ValueError(
            f"the Keras model class {config.get('class_name')!r} is not supported by "
            "tinygrad_acts: only Sequential models are"
        )
    model = Sequential.from_config(_check_dict(config.get("config"), "Sequential's config"))
    compile_config = config.get("compile_config")
    if compile and compile_config:
        compile_config = _check_dict(compile_config, "compile_config")
        optimizer = compile_config.get("optimizer", "rmsprop")
        if isinstance(optimizer, dict):
            optimizer = deserialize(optimizer, "optimizer")
        metrics = compile_config.get("metrics") or []
        if not isinstance(metrics, list):
            raise ValueError(f"compile_config: 'metrics' must be a list, received {metrics!r:.80}")
        model.compile(optimizer=optimizer, loss=_loss_from_config(compile_config.get("loss")),
                      metrics=[m for m in map(_metric_from_config, metrics) if m is not None])
    return model


def _function_name(config: Any) -> str | None:
    """Keras writes a function (a loss or metric given as `keras.losses.mse`) as
    `{'class_name': 'function', 'config': 'mean_squared_error', ...}`: its name."""
    if isinstance(config, dict) and config.get("class_name") == "function":
        name = config.get("config")
        return name if isinstance(name, str) else None
    return None


def _loss_from_config(config: Any) -> Any:
    if isinstance(config, str):
        return config
    return _function_name(config) or deserialize(config, "loss")


def _metric_from_config(config: Any) -> Any:
    """A metric of compile_config as `compile` takes it; one Keras has and we don't is left
    out with a warning (metrics only report, the model computes the same)."""
    from . import metrics

    if isinstance(config, str):
        return config
    name = _function_name(config)
    if name is None and isinstance(config, dict):
        found = metrics._BY_NAME.get(config.get("class_name"))
        arguments = config.get("config") if isinstance(config.get("config"), dict) else {}
        if inspect.isclass(found):
            accepted = inspect.signature(found).parameters
            return found(**{k: v for k, v in arguments.items() if k in accepted})
        name = arguments.get("name")
    if isinstance(name, str) and name in metrics._BY_NAME:
        return name
    warnings.warn(f"the Keras metric {config!r:.80} is not known here: it is left out",
                  stacklevel=4)
    return None


def sequential_config(model: Any) -> dict[str, Any]:
    """`Sequential.get_config()`: Keras's form (the layers as dicts, after an InputLayer
    when the input shape is known)."""
    if model.built:
        return model_config(model)["config"]
    return {"name": model.name, "trainable": True, "dtype": _dtype_policy(model._dtype()),
            "layers": [serialize(layer, "layer") for layer in model.layers]}


def sequential_from_config(cls: type, config: dict[str, Any]) -> Any:
    """`Sequential.from_config(config)`: the layers rebuilt, then the model built for the
    input shape the config gives."""
    layer_configs = config.get("layers")
    if not isinstance(layer_configs, list):
        raise ValueError(f"Sequential's config needs a list of 'layers', received "
                         f"{layer_configs!r:.80}")
    input_shape = config.get("build_input_shape")
    built_layers = []
    for item in layer_configs:
        item = _check_dict(item, "a layer of Sequential")
        if item.get("class_name") == "InputLayer":
            layer_config = _check_dict(item.get("config", {}), "InputLayer")
            input_shape = (layer_config.get("batch_shape")
                           or layer_config.get("batch_input_shape") or input_shape)
            continue
        built_layers.append(layer_from_config(item))
    model = cls(built_layers, name=config.get("name"))
    if input_shape is not None and not model.built and built_layers:
        model.build(tuple(input_shape))
    return model
