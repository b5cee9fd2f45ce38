"""Files other libraries read: Keras 3's `.keras` and `.weights.h5`, and `.safetensors`.

- `m.keras` is Keras 3's own format, a zip of three files:
  `metadata.json` (who wrote it, when), `config.json` (the architecture and how the model
  was compiled: `serialization.model_config`) and `model.weights.h5`.
- `m.weights.h5` (and the zip's `model.weights.h5`) is HDF5 in Keras 3's layout: each
  layer's weights under `layers/<name>/vars/0, 1, ...`, where `<name>` is the layer's class
  name in snake_case, numbered when repeated (`dense`, `dense_1`, `p_re_lu`), as Keras
  does so that a file does not depend on the layers' own names; the optimizer's state under
  `optimizer/vars` (its step count, its learning rate unless a schedule gives it, then
  each trainable weight's `optimizer.state_of(weight)` in the order of `slot_groups`, as
  Keras creates them; Nadam's `u_product` last).
- `m.safetensors` holds the weights as the `state_dict` of `ta.interop.to_torch(model)`
  (`0.weight` is the first Linear's weight, the kernel transposed), written with
  `safetensors.numpy` (no torch needed), with our config in the file's metadata so that
  `load_model` can rebuild the model.

h5py and safetensors are the `interop` extra (`pip install "tinygrad_acts[interop]"`), imported
here only. Reading never executes code from a file: JSON configs name classes that are
looked up in `serialization`'s tables, arrays are read as plain numbers (no pickles), and
HDF5 links are refused. Every file is written through `files.atomic_path`.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import warnings
import zipfile
from typing import Any

import numpy as np

from . import serialization
from .files import atomic_path, atomic_write

__all__ = ["load_model", "load_weights", "save_model", "save_weights"]

#: The Keras version whose format these files follow (checked with Keras 3.15).
KERAS_FORMAT_VERSION = "3.15.0"
_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_MAX_JSON_BYTES = 64 * 2**20  # a config is a few kB: a bigger one is not a model's config
_SAFETENSORS_CONFIG_KEY = "tinygrad_acts.config"

def _require(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        raise ImportError(
            f"Keras's and PyTorch's file formats need the package {name!r}: "
            'pip install "tinygrad_acts[interop]"'
        ) from None


def _check_path(path: Any, owner: str, suffixes: tuple[str, ...]) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{owner}: path must be a str or a path, received {type(path).__name__}")
    path = os.fspath(path)
    if not path.endswith(suffixes):
        raise ValueError(
            f"{owner}: path must end in {' or '.join(map(repr, suffixes))}, received {path!r}"
        )
    return path


def _check_exists(path: str, owner: str) -> None:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{owner}: no such file: {path!r}")


# ---------------------------------------------------------------------------
# The whole model.
# ---------------------------------------------------------------------------


def save_model(model: Any, path: str | os.PathLike) -> None:
    """`model.save(path)`: `.keras` or `.safetensors` (see the module's docstring)."""
    path = _check_path(path, f"{model.name}.save", (".keras", ".safetensors"))
    if path.endswith(".safetensors"):
        _save_safetensors(model, path, with_config=True)
        return
    h5py = _require("h5py")
    config = serialization.model_config(model)  # raises before anything is written
    metadata = json.dumps({
        "keras_version": KERAS_FORMAT_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "saved_by": "tinygrad_acts",
    })
    weights = io.BytesIO()
    with h5py.File(weights, "w") as f:  # the optimizer's state only when it is in the config
        _write_h5(model, f, optimizer="compile_config" in config)
    with atomic_path(path) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        archive.writestr(_METADATA, metadata)
        archive.writestr(_CONFIG, json.dumps(config))
        archive.writestr(_WEIGHTS, weights.getvalue())


def load_model(path: str | os.PathLike, compile: bool = True) -> Any:
    """A `Sequential` from a `.keras` file (ours or Keras 3's) or a `.safetensors` file
    written by `model.save`."""
    owner = "load_model"
    path = _check_path(path, owner, (".keras", ".safetensors"))
    _check_exists(path, owner)
    if path.endswith(".safetensors"):
        return _load_safetensors_model(path, compile)
    h5py = _require("h5py")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            missing = [n for n in (_CONFIG, _WEIGHTS) if n not in names]
            if missing:
                raise ValueError(f"it holds no {' and no '.join(missing)}")
            config = json.loads(_read_member(archive, _CONFIG, _MAX_JSON_BYTES))
            weights = _read_member(archive, _WEIGHTS, None)
    except (zipfile.BadZipFile, EOFError, OSError, UnicodeDecodeError,
            json.JSONDecodeError, ValueError) as e:
        raise ValueError(f"{owner}: {path!r} is not a Keras 3 .keras file ({e})") from None
    model = _in_context(path, owner, serialization.model_from_config, config, compile=compile)
    try:
        with h5py.File(io.BytesIO(weights), "r") as f:
            _read_h5(model, f, path)
    except OSError as e:
        raise ValueError(f"{owner}: {path!r}: its {_WEIGHTS} is not an HDF5 file ({e})") from None
    return model


def _in_context(path: str, owner: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Errors building a model from a file's config name the file."""
    try:
        return fn(*args, **kwargs)
    except (ValueError, TypeError, KeyError) as e:
        raise type(e)(f"{owner}: {path!r}: {e}") from None


def _read_member(archive: zipfile.ZipFile, name: str, limit: int | None) -> bytes:
    """One file of the zip, refusing what declares more than `limit` bytes, or expands
    more than a hundredfold past 1 GB (a decompression bomb: Keras stores its files
    uncompressed)."""
    info = archive.getinfo(name)
    if limit is not None and info.file_size > limit:
        raise ValueError(f"its {name} declares {info.file_size} bytes, more than a config has")
    if info.file_size > 2**30 and info.file_size > 100 * max(info.compress_size, 1):
        raise ValueError(f"its {name} expands from {info.compress_size} to {info.file_size} "
                         "bytes")
    return archive.read(name)


# ---------------------------------------------------------------------------
# Weights: Keras 3's HDF5 layout.
# ---------------------------------------------------------------------------


def keras_snake_case(name: str) -> str:
    """Keras's `naming.to_snake_case`: 'PReLU' -> 'p_re_lu', 'Dense' -> 'dense'."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def layer_paths(model: Any) -> list[str]:
    """Each layer's group in Keras's weights file: 'layers/dense', 'layers/dense_1', ..."""
    used: dict[str, int] = {}
    paths = []
    for layer in model.layers:
        _, class_name, _ = serialization._entry_for(layer, "layer")
        name = keras_snake_case(class_name)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        paths.append(f"layers/{name}")
    return paths


def save_weights(model: Any, path: str | os.PathLike) -> None:
    """`model.save_weights(path)` for `.weights.h5` (Keras 3's layout) or `.safetensors`
    (PyTorch's `state_dict` of `to_torch(model)`)."""
    owner = f"{model.name}.save_weights"
    path = _check_path(path, owner, (".weights.h5", ".safetensors"))
    if not model.built:
        raise ValueError(f"{owner}: the model has no weights yet (build it first)")
    if path.endswith(".safetensors"):
        _save_safetensors(model, path, with_config=False)
        return
    h5py = _require("h5py")
    layer_paths(model)  # raises for a layer Keras's format cannot hold, before writing
    with atomic_path(path) as temporary, h5py.File(temporary, "w") as f:
        _write_h5(model, f)


def load_weights(model: Any, path: str | os.PathLike) -> None:
    """`model.load_weights(path)` from `.weights.h5` (written here or by Keras 3, for the
    same architecture) or `.safetensors`. Everything is checked before any weight changes."""
    owner = f"{model.name}.load_weights"
    path = _check_path(path, owner, (".weights.h5", ".safetensors"))
    if not model.built:
        raise ValueError(
            f"{owner}: build the model first (call it on data, or give the first layer "
            "input_dim=...) so that its weights exist"
        )
    _check_exists(path, owner)
    if path.endswith(".safetensors"):
        _load_safetensors_weights(model, _read_safetensors(path, owner)[0], path, owner)
        return
    h5py = _require("h5py")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ValueError(f"{owner}: {path!r} is not an HDF5 weights file ({e})") from None
    with f:
        _read_h5(model, f, path)


def keras_weight_order(layer: Any) -> list[Any]:
    """A layer's weights in the order Keras stores them: the trainable ones, then the others
    (e.g. BatchNormalization's gamma, beta, then moving_mean, moving_variance)."""
    weights = layer.weights
    return ([w for w in weights if w.requires_grad]
            + [w for w in weights if not w.requires_grad])


def _write_h5(model: Any, f: Any, optimizer: bool = True) -> None:
    for layer, path in zip(model.layers, layer_paths(model), strict=True):
        group = f.create_group(path).create_group("vars")
        group.attrs["name"] = layer.name
        for i, weight in enumerate(keras_weight_order(layer)):
            group.create_dataset(str(i), data=weight.data)
    f.create_group("vars").attrs["name"] = model.name
    if optimizer and model.optimizer is not None:
        group = f.create_group("optimizer").create_group("vars")
        group.attrs["name"] = model.optimizer.name
        for i, array in enumerate(_optimizer_variables(model)):
            group.create_dataset(str(i), data=array)


def _vars(f: Any, group_path: str, source: str) -> list[Any]:
    """The datasets `<group_path>/vars/0, 1, ...` (not read yet), refusing links."""
    h5py = _require("h5py")
    group = f
    for part in [*group_path.split("/"), "vars"]:
        if part not in group:
            return []
        link = group.get(part, getlink=True)
        if not isinstance(link, h5py.HardLink):
            raise ValueError(f"{source}: {group_path} is a link ({type(link).__name__}); "
                             "links are not followed")
        group = group[part]
        if not isinstance(group, h5py.Group):
            raise ValueError(f"{source}: {group_path} is not a group")
    datasets = []
    for i in range(len(group)):
        key = str(i)
        if key not in group or not isinstance(group.get(key, getlink=True), h5py.HardLink):
            raise ValueError(f"{source}: {group_path}/vars has no plain dataset {key!r}")
        dataset = group[key]
        if not isinstance(dataset, h5py.Dataset) or dataset.dtype.kind not in "fiu":
            raise ValueError(f"{source}: {group_path}/vars/{key} is not an array of numbers")
        datasets.append(dataset)
    return datasets


def _read_h5(model: Any, f: Any, path: str) -> None:
    """Keras's layout into the model: every shape is checked before any weight changes."""
    source = f"{model.name}: {path!r}"
    if "layers" not in f:
        raise ValueError(
            f"{source} is not a Keras 3 weights file (it has no 'layers' group; files of "
            "tf.keras 2 are not read)"
        )
    updates = []
    for layer, group_path in zip(model.layers, layer_paths(model), strict=True):
        datasets = _vars(f, group_path, source)
        weights = keras_weight_order(layer)
        if len(datasets) != len(weights):
            raise ValueError(
                f"{source}: {group_path} holds {len(datasets)} arrays, the layer "
                f"{layer.name} has {len(weights)} weights"
            )
        for weight, dataset in zip(weights, datasets, strict=True):
            if tuple(dataset.shape) != weight.shape:
                raise ValueError(
                    f"{source}: {dataset.name} has shape {tuple(dataset.shape)}, the weight "
                    f"{weight.name} has shape {weight.shape}"
                )
            updates.append((weight, dataset))
    arrays = [(weight, np.asarray(dataset[()])) for weight, dataset in updates]
    for weight, array in arrays:
        weight.data[...] = array
    if model.optimizer is not None:
        _set_optimizer_variables(model, _vars(f, "optimizer", source), source)


# ---------------------------------------------------------------------------
# The optimizer's state, in Keras's order.
# ---------------------------------------------------------------------------


def _slot_names(optimizer: Any, weight: Any) -> list[tuple[str, ...]] | None:
    """The optimizer's state names for `weight`, grouped as Keras creates them
    (`optimizer.slot_groups`, without the names its options turn off), or None for an
    optimizer whose state Keras lays out otherwise (Adafactor)."""
    groups = getattr(optimizer, "slot_groups", None)
    if groups is None:
        return None
    kept = set(optimizer.state_of(weight))
    return [tuple(s for s in group if s in kept) for group in groups]


def _head(optimizer: Any) -> list[np.ndarray]:
    """Keras's first optimizer variables: the step count, then the learning rate when it is
    a number (a schedule is no variable in Keras: its config says it all)."""
    head = [np.array(optimizer.iterations, dtype=np.int64)]
    if not _has_schedule(optimizer):
        head.append(np.array(optimizer.learning_rate, dtype=np.float32))
    return head


def _has_schedule(optimizer: Any) -> bool:
    from .schedules import LearningRateSchedule

    return isinstance(optimizer.get_config().get("learning_rate"), dict) or isinstance(
        getattr(optimizer, "_learning_rate", None), LearningRateSchedule)


def _tail(optimizer: Any) -> list[np.ndarray]:
    """Keras's optimizer variables after the slots: Nadam's running product of its momentum
    schedule (`u_product`)."""
    if type(optimizer).__name__ == "Nadam":
        return [np.array(optimizer._u_product, dtype=np.float32)]
    return []


def _optimizer_variables(model: Any) -> list[np.ndarray]:
    """The optimizer's variables as Keras keeps them: step count, learning rate, then the
    state of every trainable weight (`optimizer.state_of`, zeros for a weight not updated yet,
    as in a freshly built Keras optimizer) in the order of `slot_groups`, then Nadam's
    u_product. An optimizer without `slot_groups` (Adafactor) is written without its state,
    with a warning: Keras then starts it afresh."""
    optimizer = model.optimizer
    weights = model.trainable_weights
    variables = _head(optimizer)
    if not weights:
        return variables
    names = [_slot_names(optimizer, w) for w in weights]
    if names[0] is None:
        warnings.warn(
            f"{model.name}: the state of {type(optimizer).__name__} is not saved (Keras lays "
            "it out differently); it starts afresh when the model is loaded",
            stacklevel=4,
        )
        return variables
    states = [optimizer.state_of(w) for w in weights]
    for g in range(len(names[0])):
        for weight_names, state in zip(names, states, strict=True):
            variables.extend(state[k] for k in weight_names[g])
    return variables + _tail(optimizer)


def _set_optimizer_variables(model: Any, datasets: list[Any], source: str) -> None:
    """The optimizer's state from Keras's `optimizer/vars` (HDF5 datasets, read only once
    their count and shapes fit), through `optimizer.set_state_of`."""
    optimizer = model.optimizer
    weights = model.trainable_weights
    if not datasets:
        return
    n_head = len(_head(optimizer))
    if any(d.shape != () for d in datasets[:n_head]):
        raise ValueError(f"{source}: the optimizer's step count and learning rate must be "
                         "numbers")
    names = [_slot_names(optimizer, w) for w in weights]
    if len(datasets) == n_head or (names and names[0] is None):
        # saved before its first step (Keras then has no slots yet), or an optimizer whose
        # state is not read here: its step count and rate only, the state starts at zero
        if len(datasets) > n_head:
            warnings.warn(f"{source}: the state of {type(optimizer).__name__} is not read "
                          "here; it starts afresh", stacklevel=3)
        _set_head(optimizer, datasets[:n_head])
        optimizer._state.clear()
        return
    slots = [(weight, k) for g in range(len(names[0]) if names else 0)
             for weight, weight_names in zip(weights, names, strict=True)
             for k in weight_names[g]]
    n_tail = len(_tail(optimizer))
    expected = n_head + len(slots) + n_tail
    if len(datasets) != expected:
        warnings.warn(
            f"{source}: the optimizer's state ({len(datasets)} arrays) does not fit "
            f"{type(optimizer).__name__} of this model ({expected} expected); the optimizer "
            "starts afresh (Keras does the same)",
            stacklevel=3,
        )
        return
    body = datasets[n_head:n_head + len(slots)]
    for (weight, k), dataset in zip(slots, body, strict=True):
        if tuple(dataset.shape) != weight.shape:
            raise ValueError(f"{source}: the optimizer's {k} for {weight.name} has shape "
                             f"{tuple(dataset.shape)}, expected {weight.shape}")
    tail = datasets[n_head + len(slots):]
    if any(d.shape != () for d in tail):
        raise ValueError(f"{source}: the optimizer's last variable must be a number")
    states: dict[int, dict[str, np.ndarray]] = {id(w): {} for w in weights}
    for (weight, k), dataset in zip(slots, body, strict=True):
        states[id(weight)][k] = np.asarray(dataset[()])
    for weight in weights:  # each checked by set_state_of before it changes anything
        optimizer.set_state_of(weight, states[id(weight)])
    _set_head(optimizer, datasets[:n_head])
    if tail:
        optimizer._u_product = float(tail[0][()])


def _set_head(optimizer: Any, datasets: list[Any]) -> None:
    optimizer.iterations = int(datasets[0][()])
    if len(datasets) > 1:
        optimizer.learning_rate = float(datasets[1][()])


# ---------------------------------------------------------------------------
# safetensors: PyTorch's state_dict, written from numpy.
# ---------------------------------------------------------------------------


def _save_safetensors(model: Any, path: str, with_config: bool) -> None:
    from . import interop

    _require("safetensors")
    from safetensors.numpy import save

    arrays = interop.state_dict_arrays(model)
    metadata = {"format": "pt"}
    if with_config:
        metadata[_SAFETENSORS_CONFIG_KEY] = json.dumps(serialization.model_config(model))
    data = save(arrays, metadata=metadata)
    with atomic_write(path) as f:
        f.write(data)


def _read_safetensors(path: str, owner: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    _require("safetensors")
    from safetensors import safe_open

    try:
        with safe_open(path, framework="np") as f:
            metadata = f.metadata() or {}
            arrays = {key: f.get_tensor(key) for key in f.keys()}  # noqa: SIM118
    except Exception as e:  # safetensors raises its own SafetensorError (a Rust error)
        raise ValueError(f"{owner}: {path!r} is not a safetensors file ({e})") from None
    return arrays, metadata


def _load_safetensors_weights(model: Any, arrays: dict[str, np.ndarray], path: str,
                              owner: str) -> None:
    from . import interop

    targets = interop.state_dict_targets(model)
    buffers = interop.state_dict_buffers(model)  # PyTorch's bookkeeping: checked, not kept
    if set(arrays) != set(targets) | set(buffers):
        raise ValueError(
            f"{owner}: {path!r} holds the tensors {sorted(arrays)}, but to_torch({model.name}) "
            f"has {sorted([*targets, *buffers])}"
        )
    for key, like in buffers.items():
        if arrays[key].shape != like.shape or arrays[key].dtype.kind not in "iu":
            raise ValueError(f"{owner}: {path!r}: {key} must be an integer of shape "
                             f"{like.shape}, received shape {arrays[key].shape} and dtype "
                             f"{arrays[key].dtype}")
    updates = []
    for key, (weight, layout) in targets.items():
        array = interop.from_torch_layout(arrays[key], weight, layout)
        if array.shape != weight.shape or array.dtype.kind not in "fiu":
            raise ValueError(f"{owner}: {path!r}: {key} has shape {arrays[key].shape} and "
                             f"dtype {arrays[key].dtype}, which does not fit {weight.name} "
                             f"(shape {weight.shape})")
        updates.append((weight, array))
    for weight, array in updates:
        weight.data[...] = array


def _load_safetensors_model(path: str, compile: bool) -> Any:
    owner = "load_model"
    arrays, metadata = _read_safetensors(path, owner)
    if _SAFETENSORS_CONFIG_KEY not in metadata:
        raise ValueError(
            f"{owner}: {path!r} holds weights only (no {_SAFETENSORS_CONFIG_KEY!r} in its "
            "metadata): build the model, then model.load_weights(path)"
        )
    try:
        config = json.loads(metadata[_SAFETENSORS_CONFIG_KEY])
    except json.JSONDecodeError as e:
        raise ValueError(f"{owner}: {path!r}: its config is not JSON ({e})") from None
    model = _in_context(path, owner, serialization.model_from_config, config, compile=compile)
    _load_safetensors_weights(model, arrays, path, owner)
    return model
