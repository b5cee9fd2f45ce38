"""`Sequential`: a stack of layers, trained with Keras's `compile` / `fit` / `evaluate` /
`predict`.

    model = ta.models.Sequential([
        ta.layers.Dense(16, activation="selu", kernel_initializer="lecun_normal", input_dim=2),
        ta.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=ta.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(X, y, epochs=40, batch_size=32)

One training step is the whole story of the engine, in four lines (`_train_step`):

    y_pred = model(x_batch, training=True)        # forward: records the graph
    loss = model.loss(y_batch, y_pred)            # one number
    loss.backward()                               # every weight's .grad
    optimizer.step(weights)                       # w -= (something) * w.grad, in place

`fit` adds what makes it safe and pleasant: the data are checked before any weight changes,
each step is checked for NaN or inf (in the loss and in every gradient) before its update is
applied, and a progress bar (tqdm) shows the loss and metrics.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import time
import zipfile
from collections.abc import Sequence
from typing import Any, TextIO

import numpy as np

from . import config, losses, optimizers
from . import metrics as metrics_module
from .callbacks import Callback, CallbackList, History, TerminateOnNaN
from .files import atomic_write, npz_headers
from .grad_mode import no_grad
from .layers.base import Layer, unique_name
from .tensor import Tensor
from .validation import check_bool as _check_bool
from .validation import check_positive_int as _check_positive_int

__all__ = ["Sequential", "load_model"]

_ACCURACY_NAMES = ("accuracy", "acc")


class Sequential:
    """A linear stack of layers: each layer's output is the next one's input.

    Args:
        layers: the layers, in order (more can be added with `add`).
        name: the model's name (default 'sequential', 'sequential_1', ...).

    The model is built (its weights created) as soon as it knows the width of its input:
    from the first layer's `input_dim`, or at the first call.

    Attributes:
        optimizer, loss: set by `compile`.
        history: the `History` of the last `fit`.
        stop_training: set it to True (from a callback) to stop `fit` after the current batch.
    """

    def __init__(self, layers: Sequence[Layer] | None = None, name: str | None = None) -> None:
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(
                f"Sequential: argument `layers` must be a list of layers or None, "
                f"received {type(layers).__name__}"
            )
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(
                f"Sequential: argument `name` must be a non-empty str, received name={name!r}"
            )
        for i, layer in enumerate(layers or []):
            _check_layer(layer, f"Sequential: layers[{i}]")
        self.name = name or unique_name("sequential")
        self._layers: list[Layer] = []
        self._input_shape: tuple[int | None, ...] | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: losses.Loss | None = None
        self._metric_ids: list[Any] = []
        self._metrics: list[metrics_module.Metric] | None = None
        self.jit_compile = False
        self._compiled_steps: _CompiledSteps | None = None
        self.history: History | None = None
        self.stop_training = False
        for layer in layers or []:
            self.add(layer)

    # ---- the stack of layers -----------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append a layer. If the model already knows its input width, the layer is built."""
        _check_layer(layer, "Sequential.add: layer")
        if any(existing is layer for existing in self._layers):
            raise ValueError(f"Sequential.add: layer {layer.name!r} is already in the model")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                f"Sequential.add: the model already has a layer named {layer.name!r}; "
                "layer names must be unique"
            )
        if not self._layers and getattr(layer, "input_dim", None) is not None:
            input_shape: tuple[int | None, ...] | None = (None, layer.input_dim)
        else:
            input_shape = self._input_shape
        if input_shape is not None:
            # Check that the layer fits the current output, and build it, before it joins
            # the model: a layer that cannot be built leaves the model as it was.
            shapes = _output_shapes([*self._layers, layer], input_shape)
            if not layer.built:
                layer.build(shapes[-2])
        self._layers.append(layer)
        if input_shape is not None:
            self.build(input_shape)

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def built(self) -> bool:
        return self._input_shape is not None

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create every layer's weights for inputs of `input_shape` (the batch axis may be
        None), checking first that the shapes fit from layer to layer."""
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 2 or not all(
            isinstance(n, numbers.Integral) and n > 0 for n in input_shape[1:]
        ):
            raise ValueError(
                f"{self.name}.build: input_shape must be (batch, features, ...) with positive "
                f"feature sizes, received {input_shape!r}"
            )
        input_shape = (None, *(int(n) for n in input_shape[1:]))
        _output_shapes(self._layers, input_shape)  # raises before any weight is made
        shape = input_shape
        for layer in self._layers:
            if not layer.built:
                layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self._input_shape = input_shape

    def __call__(self, inputs: Any, training: bool | None = None) -> Tensor:
        """Run the layers in order. `training=True` switches dropout on; each layer that
        takes a `training` argument receives it."""
        if not isinstance(inputs, Tensor):
            inputs = Tensor(self._as_array(inputs, "inputs", self.name, self._dtype()))
        x = inputs
        if not self.built:
            if x.ndim < 2:
                raise ValueError(
                    f"{self.name}: inputs must have a batch axis and a feature axis, "
                    f"received shape {x.shape}"
                )
            self.build(x.shape)
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> tuple[int | None, ...]:
        return _output_shapes(self._layers, tuple(input_shape))[-1]

    # ---- weights -----------------------------------------------------------------------------
    @property
    def weights(self) -> list[Tensor]:
        return [w for layer in self._layers for w in layer.weights]

    @property
    def trainable_weights(self) -> list[Tensor]:
        return [w for layer in self._layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        return [w for layer in self._layers for w in layer.non_trainable_weights]

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self._layers)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every weight's values, layer by layer."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, values: Sequence[Any]) -> None:
        """Replace every weight's values (all checked first: nothing changes on a mismatch)."""
        arrays = [np.asarray(v) for v in values]
        self._check_weight_arrays(arrays, "set_weights")
        for w, v in zip(self.weights, arrays, strict=True):
            w.data[...] = v

    def _check_weight_arrays(self, arrays: list[np.ndarray], owner: str) -> None:
        weights = self.weights
        if len(arrays) != len(weights):
            raise ValueError(
                f"{self.name}.{owner}: the model has {len(weights)} weights, received "
                f"{len(arrays)} arrays"
            )
        for i, (w, v) in enumerate(zip(weights, arrays, strict=True)):
            if v.shape != w.shape:
                raise ValueError(
                    f"{self.name}.{owner}: weight {i} ({w.name}) has shape {w.shape}, "
                    f"received an array of shape {v.shape}"
                )
            if v.dtype.kind not in "fiu":
                raise ValueError(
                    f"{self.name}.{owner}: weight {i} ({w.name}) needs numbers, received an "
                    f"array of dtype {v.dtype}"
                )

    def save_weights(self, path: str | os.PathLike) -> None:
        """Write every weight to a numpy `.npz` file, in layer order.

        The file is written under a temporary name next to `path`, then renamed: `path` is
        either the complete new file or untouched, never half written.

        A path ending in `.weights.h5` gets Keras 3's layout instead (Keras's
        `load_weights` reads it), and `.safetensors` PyTorch's `state_dict` of
        `ta.interop.to_torch(model)`: see `tinygrad_acts.saving`.
        """
        if _is_interop_weights(path):
            from . import saving  # h5py and safetensors are imported only for these

            return saving.save_weights(self, path)
        path = _check_npz_path(path, "save_weights")
        weights = self.weights
        if not weights:
            raise ValueError(
                f"{self.name}.save_weights: the model has no weights yet (build it first)"
            )
        arrays = {f"weight_{i:04d}": w.data for i, w in enumerate(weights)}
        arrays["names"] = np.array([w.name or "" for w in weights])
        with atomic_write(path) as f:
            np.savez(f, **arrays)

    def load_weights(self, path: str | os.PathLike) -> None:
        """Read weights written by `save_weights`. They are matched by position. The file is
        not trusted: its names, count, shapes and dtypes are read from the arrays' headers and
        checked against the model's weights before any data is read (a crafted file cannot
        make it decompress gigabytes), and before any weight changes. `.weights.h5` (written
        here or by Keras 3) and `.safetensors` files are read by layer instead."""
        if _is_interop_weights(path):
            from . import saving

            return saving.load_weights(self, path)
        path = _check_npz_path(path, "load_weights")
        if not self.built:
            raise ValueError(
                f"{self.name}.load_weights: build the model first (call it on data, or give "
                "the first layer input_dim=...) so that its weights exist"
            )
        if not os.path.exists(path):
            raise FileNotFoundError(f"{self.name}.load_weights: no such file: {path!r}")
        owner = f"{self.name}.load_weights"
        try:
            headers = npz_headers(path)
        except ValueError as e:
            raise ValueError(f"{owner}: not a weights file: {e}") from None
        keys = self._check_weight_headers(headers, path, owner)
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = [data[k] for k in keys]
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
            raise ValueError(f"{owner}: {path!r} is not a weights file ({e})") from None
        self._check_weight_arrays(arrays, f"load_weights({path!r})")
        for w, v in zip(self.weights, arrays, strict=True):
            w.data[...] = v

    def _check_weight_headers(self, headers: dict[str, tuple[tuple[int, ...], np.dtype]],
                              path: str, owner: str) -> list[str]:
        """The archive's weight names in order, once their count, shapes and dtypes (from
        the headers) fit the model's weights."""
        weights = self.weights
        expected = [f"weight_{i:04d}" for i in range(len(weights))]
        found = sorted(k for k in headers if k != "names")
        if len(found) != len(expected):
            raise ValueError(f"{owner}: the model has {len(weights)} weights, received "
                             f"{len(found)} arrays in {path!r}")
        if found != expected:
            raise ValueError(f"{owner}: not a weights file: {path!r} holds the arrays "
                             f"{found[:4]}{'...' if len(found) > 4 else ''}, expected "
                             f"weight_0000, weight_0001, ... (as save_weights writes them)")
        for i, (key, w) in enumerate(zip(expected, weights, strict=True)):
            shape, dtype = headers[key]
            if shape != w.shape or dtype.kind not in "fiu":
                raise ValueError(
                    f"{owner}: weight {i} ({w.name}) has shape {w.shape}, received an array "
                    f"of shape {shape} and dtype {dtype} in {path!r}"
                )
        return expected

    # ---- Keras's and PyTorch's files: tinygrad_acts/saving.py ----------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the whole model: `.keras` (Keras 3's own format: architecture, weights,
        optimizer; `keras.saving.load_model` opens it) or `.safetensors` (the weights as
        PyTorch's `state_dict` of `ta.interop.to_torch(model)`, with our config alongside).
        `load_model` reads both back. The file is written atomically."""
        from . import saving

        saving.save_model(self, path)

    def get_config(self) -> dict[str, Any]:
        """The model's architecture as Keras's Sequential config (its layers' configs, after
        an InputLayer when the input shape is known)."""
        from . import serialization

        return serialization.sequential_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Sequential:
        """A new model (fresh weights) from the output of `get_config()`, or from the
        `config` of a Keras Sequential."""
        from . import serialization

        return serialization.sequential_from_config(cls, config)

    # ---- summary -----------------------------------------------------------------------------
    def summary(self, print_fn: Any = None) -> None:
        """Print a table of the layers: name (type), output shape, number of parameters, and
        the totals, as Keras does. `print_fn` (default `print`) receives each line."""
        print_fn = print_fn or print
        widths = (29, 26, 10)
        rule = "_" * sum(widths)

        def row(*cells: str) -> str:
            padded = [f" {cell}".ljust(width) for cell, width in zip(cells, widths, strict=True)]
            return "".join(padded).rstrip()

        shapes = (_output_shapes(self._layers, self._input_shape)[1:] if self.built
                  else [None] * len(self._layers))
        lines = [f'Model: "{self.name}"', rule, row("Layer (type)", "Output Shape", "Param #"),
                 "=" * sum(widths)]
        for layer, shape in zip(self._layers, shapes, strict=True):
            params = str(layer.count_params()) if layer.built else "0 (unbuilt)"
            lines.append(row(f"{layer.name} ({type(layer).__name__})",
                             "?" if shape is None else str(shape), params))
        trainable = sum(w.size for w in self.trainable_weights)
        trainable_bytes = sum(w.data.nbytes for w in self.trainable_weights)
        total_bytes = sum(w.data.nbytes for w in self.weights)
        total = self.count_params()
        lines += [
            "=" * sum(widths),
            f"Total params: {total} ({_readable_size(total_bytes)})",
            f"Trainable params: {trainable} ({_readable_size(trainable_bytes)})",
            f"Non-trainable params: {total - trainable} "
            f"({_readable_size(total_bytes - trainable_bytes)})",
            rule,
        ]
        for line in lines:
            print_fn(line)

    # ---- compile -----------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None,
                metrics: Sequence[Any] | None = None, jit_compile: bool = False) -> None:
        """Choose how to train: the optimizer, the loss, and metrics to report.

        Args:
            optimizer: a name ('sgd', 'adam', 'rmsprop') or an Optimizer.
            loss: a name ('mse', 'binary_crossentropy', ...), a Loss, or a function
                `f(y_true, y_pred)` giving per-sample values (they are averaged).
            metrics: a list of names ('accuracy', 'mae', ...), Metrics or functions.
                'accuracy' becomes binary, categorical or sparse categorical accuracy
                according to the loss and the data's shapes (`metrics.accuracy_for`).
            jit_compile: whether `fit`, `evaluate` and `predict` run their steps through
                `ta.jit` (recorded once per batch shape, then replayed: the same numbers,
                faster). False by default.
        """
        jit_compile = _check_bool(f"{self.name}.compile", "jit_compile", jit_compile)
        optimizer = optimizers.get(optimizer)
        if optimizer is None:
            raise ValueError(f"{self.name}.compile: argument `optimizer` is required, e.g. "
                             "optimizer='adam'")
        if loss is None:
            raise ValueError(f"{self.name}.compile: argument `loss` is required, e.g. loss='mse'")
        loss_fn = losses.get(loss)
        if not isinstance(loss_fn, losses.Loss):
            name = loss if isinstance(loss, str) else None
            loss_fn = losses.LossFunctionWrapper(loss_fn, name=name)
        if metrics is None:
            metrics = []
        if not isinstance(metrics, (list, tuple)):
            raise TypeError(
                f"{self.name}.compile: argument `metrics` must be a list, e.g. "
                f"metrics=['accuracy'], received metrics={metrics!r}"
            )
        metric_ids = []
        for m in metrics:  # resolve now, so that an unknown name fails at compile time
            is_accuracy = isinstance(m, str) and m.lower() in _ACCURACY_NAMES
            metric_ids.append(m if is_accuracy else metrics_module.get(m))
        self.optimizer, self.loss, self._metric_ids = optimizer, loss_fn, metric_ids
        self._metrics = None
        self.jit_compile, self._compiled_steps = jit_compile, None

    @property
    def metrics_names(self) -> list[str]:
        """'loss', then each metric's name, in the order `evaluate` returns them."""
        names = ["loss"]
        for m in self._metric_ids:
            names.append(m if isinstance(m, str) else m.name)
        return names

    def _compiled_metrics(self, y_true_shape: tuple, y_pred_shape: tuple) -> list:
        """The metric objects, with 'accuracy' resolved on first use (it needs the shapes)."""
        if self._metrics is None:
            self._metrics = [
                metrics_module.accuracy_for(self.loss, y_true_shape, y_pred_shape, name=m)
                if isinstance(m, str) else m
                for m in self._metric_ids
            ]
        return self._metrics

    # ---- fit ---------------------------------------------------------------------------------
    def fit(
        self,
        x: Any,
        y: Any,
        *,
        batch_size: int = 32,
        epochs: int = 1,
        verbose: int | str = 1,
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, ...] | None = None,
        shuffle: bool = True,
        class_weight: dict[int, float] | None = None,
        sample_weight: Any = None,
    ) -> History:
        """Train the model for `epochs` passes over (x, y), in mini-batches.

        The arguments after `y` are keyword-only: Keras takes `batch_size` before `epochs`,
        and `fit(x, y, 32, 10)` read the other way would train silently wrong.

        Args:
            x: inputs, shape (samples, features).
            y: targets, one per sample, as the loss wants them.
            batch_size: samples per gradient step.
            epochs: passes over the data.
            verbose: 0 silent; 1 a progress bar per epoch in a terminal (one plain line per
                epoch when the output is not a terminal); 2 one plain line per epoch.
            callbacks: Callback objects (see `tinygrad_acts.callbacks`).
            validation_split: the fraction (in [0, 1)) of the samples, taken from the end
                before shuffling as Keras does, kept out of training to validate on.
            validation_data: `(x_val, y_val)` or `(x_val, y_val, sample_weight_val)` to
                validate on (overrides validation_split).
            shuffle: whether to reshuffle the training samples before each epoch.
            class_weight: `{class: weight}`: each sample's loss is weighted by its class's
                weight (classes not named weigh 1), as Keras does. Not with `sample_weight`.
            sample_weight: one weight per sample (shape (samples,)), multiplying its loss
                and its metrics.

        Returns:
            A `History`: `history.history['loss']`, the metrics, and `val_*` when validating.

        Raises:
            ValueError, TypeError: bad arguments or data, before any weight changes.
            FloatingPointError: the loss or a gradient became NaN or inf, or the update would
                have made a weight so (the update of that step is not applied); pass
                `callbacks=[TerminateOnNaN()]` to stop cleanly.
        """
        owner = f"{self.name}.fit"
        self._check_compiled(owner)
        batch_size = _check_positive_int(owner, "batch_size", batch_size)
        epochs = _check_positive_int(owner, "epochs", epochs)
        verbose = _check_verbose(owner, verbose)
        shuffle = _check_bool(owner, "shuffle", shuffle)
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            raise TypeError(
                f"{owner}: argument `callbacks` must be a list of Callback objects, "
                f"received {type(callbacks).__name__}"
            )
        callback_list = CallbackList(callbacks)  # checks that each one is a Callback
        callbacks = list(callbacks or [])
        if isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real) \
                or not 0 <= validation_split < 1:
            raise ValueError(
                f"{owner}: argument `validation_split` must be a number in [0, 1), "
                f"received validation_split={validation_split!r}"
            )
        x, y = self._check_data(x, y, owner)
        if class_weight is not None and sample_weight is not None:
            raise ValueError(f"{owner}: you cannot pass both `class_weight` and `sample_weight`")
        if class_weight is not None:
            sample_weight = self._class_weight_to_sample_weights(y, class_weight, owner)
        sample_weight = self._check_sample_weight(sample_weight, x, y, owner)
        sw_val = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise TypeError(
                    f"{owner}: argument `validation_data` must be a pair (x_val, y_val) or a "
                    f"triple (x_val, y_val, sample_weight_val), received "
                    f"{type(validation_data).__name__}"
                    + (f" of length {len(validation_data)}"
                       if isinstance(validation_data, (tuple, list)) else "")
                )
            where = f"{owner} (validation_data)"
            x_val, y_val = self._check_data(*validation_data[:2], where, input_shape=x.shape)
            if len(validation_data) == 3:
                sw_val = self._check_sample_weight(validation_data[2], x_val, y_val, where)
        elif validation_split > 0:
            split_at = int(math.floor(len(x) * (1.0 - validation_split)))
            if split_at == 0 or split_at == len(x):
                raise ValueError(
                    f"{owner}: validation_split={validation_split} leaves "
                    f"{split_at} training and {len(x) - split_at} validation samples out of "
                    f"{len(x)}; both must be at least 1"
                )
            x, x_val, y, y_val = x[:split_at], x[split_at:], y[:split_at], y[split_at:]
            if sample_weight is not None:
                sample_weight, sw_val = sample_weight[:split_at], sample_weight[split_at:]
        else:
            x_val = y_val = None
        history = History()
        callback_list.append(history)
        steps = math.ceil(len(x) / batch_size)
        callback_list.set_model(self)
        callback_list.set_params({"epochs": epochs, "steps": steps, "verbose": verbose})
        self._compiled_metrics(y.shape, self.compute_output_shape(x.shape))
        stop_cleanly = any(isinstance(c, TerminateOnNaN) for c in callbacks)
        if not self.built:  # only now that everything is checked: no weights for a bad call
            self.build(x.shape)

        self.stop_training = False
        callback_list.on_train_begin()
        logs: dict[str, float] = {}
        for epoch in range(epochs):
            callback_list.on_epoch_begin(epoch)
            progress = _Progress(verbose, steps, f"Epoch {epoch + 1}/{epochs}")
            try:
                if shuffle:
                    order = config.rng().permutation(len(x))
                    epoch_logs = self._train_epoch(
                        x[order], y[order], batch_size, callback_list, progress, stop_cleanly,
                        (epoch, epochs),
                        None if sample_weight is None else sample_weight[order])
                else:
                    epoch_logs = self._train_epoch(x, y, batch_size, callback_list, progress,
                                                   stop_cleanly, (epoch, epochs), sample_weight)
                if epoch_logs is not None:  # None: stopped before any step was applied
                    logs = epoch_logs
                    if x_val is not None:
                        val_logs = self._test_loop(x_val, y_val, batch_size, callback_list,
                                                   sample_weight=sw_val)
                        logs.update({f"val_{k}": v for k, v in val_logs.items()})
                    progress.close(logs)
                    callback_list.on_epoch_end(epoch, logs)
            finally:
                progress.close()
            if self.stop_training:
                break
        callback_list.on_train_end(logs)
        self.history = history
        return history

    def _train_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int,
                     callback_list: CallbackList, progress: _Progress, stop_cleanly: bool,
                     epoch_of: tuple[int, int],
                     sample_weight: np.ndarray | None = None) -> dict[str, float] | None:
        """One pass over (x, y) in batches. Returns the epoch's means (loss weighted by batch
        size, and the metrics over all samples), or None if no step was applied."""
        loss_mean = metrics_module.Mean("loss")
        for m in self._metrics:
            m.reset_state()
        steps = math.ceil(len(x) / batch_size)
        for batch in range(steps):
            callback_list.on_train_batch_begin(batch)
            chunk = slice(batch * batch_size, (batch + 1) * batch_size)
            sw = None if sample_weight is None else sample_weight[chunk]
            loss_value, y_pred, problem = self._train_step(x[chunk], y[chunk], sw)
            if problem is not None:
                where = f"epoch {epoch_of[0] + 1}/{epoch_of[1]}, batch {batch + 1}/{steps}"
                if not stop_cleanly:
                    raise FloatingPointError(
                        f"{self.name}.fit: {problem} at {where}. That step's update was not "
                        "applied: the weights are those from before it. Lower the learning "
                        "rate, check the data, or pass callbacks=[TerminateOnNaN()] to stop "
                        "without an error."
                    )
                progress.message(
                    f"{where}: {problem}; terminating training (that step's update was not "
                    "applied)"
                )
                self.stop_training = True
                break
            loss_mean.update_state(loss_value, sample_weight=len(y_pred))
            for m in self._metrics:
                m.update_state(y[chunk], y_pred, sample_weight=sw)
            logs = _logs(loss_mean, self._metrics)
            progress.update(logs)
            callback_list.on_train_batch_end(batch, logs)
            if self.stop_training:
                break
        return _logs(loss_mean, self._metrics) if loss_mean.count else None

    def _train_step(self, x_batch: np.ndarray, y_batch: np.ndarray,
                    sample_weight: np.ndarray | None = None
                    ) -> tuple[float, np.ndarray, str | None]:
        """Forward, loss, backward, and the update unless the loss, a gradient or the
        updated weights are not finite. Returns the loss, the predictions, and what went
        wrong (or None)."""
        if self.jit_compile:
            return self._steps().train(x_batch, y_batch, sample_weight)
        params = self.trainable_weights
        for p in params:
            p.grad = None
        y_pred = self(x_batch, training=True)
        loss = self.loss(y_batch, y_pred, sample_weight=sample_weight)
        loss.backward()
        problem = _not_finite(loss, params, [p.grad for p in params])
        if problem is None:
            problem = _refused(self.optimizer.step, params)
        return float(loss.data), y_pred.data, problem

    # ---- evaluate and predict ----------------------------------------------------------------
    def evaluate(self, x: Any, y: Any, batch_size: int = 32, verbose: int | str = 1,
                 sample_weight: Any = None,
                 callbacks: Sequence[Callback] | None = None) -> float | list[float]:
        """The loss (and metrics) on (x, y), in inference mode (dropout off, no graph),
        each sample weighted by `sample_weight` when given (shape (samples,)).

        Returns:
            `[loss, metric_1, ...]` when compiled with metrics, else the loss alone.
        """
        owner = f"{self.name}.evaluate"
        self._check_compiled(owner)
        batch_size = _check_positive_int(owner, "batch_size", batch_size)
        verbose = _check_verbose(owner, verbose)
        callback_list = CallbackList(callbacks)
        x, y = self._check_data(x, y, owner)
        sample_weight = self._check_sample_weight(sample_weight, x, y, owner)
        if not self.built:
            self.build(x.shape)
        callback_list.set_model(self)
        logs = self._test_loop(x, y, batch_size, callback_list, verbose, sample_weight)
        values = list(logs.values())
        return values if len(values) > 1 else values[0]

    def _test_loop(self, x: np.ndarray, y: np.ndarray, batch_size: int,
                   callback_list: CallbackList, verbose: int = 0,
                   sample_weight: np.ndarray | None = None) -> dict[str, float]:
        """The loss and metrics over (x, y) in inference mode, batch by batch, without a
        graph: what `evaluate` returns and what `fit` reports as `val_*`."""
        loss_mean = metrics_module.Mean("loss")
        test_metrics = self._compiled_metrics(y.shape, self.compute_output_shape(x.shape))
        for m in test_metrics:
            m.reset_state()
        steps = math.ceil(len(x) / batch_size)
        progress = _Progress(verbose, steps, "evaluate")
        logs: dict[str, float] = {}
        callback_list.on_test_begin()
        try:
            with no_grad():
                for batch in range(steps):
                    callback_list.on_test_batch_begin(batch)
                    chunk = slice(batch * batch_size, (batch + 1) * batch_size)
                    sw = None if sample_weight is None else sample_weight[chunk]
                    if self.jit_compile:
                        loss, y_pred = self._steps().test(x[chunk], Tensor(y[chunk]),
                                                          None if sw is None else Tensor(sw))
                    else:
                        y_pred = self(x[chunk], training=False)
                        loss = self.loss(y[chunk], y_pred, sample_weight=sw)
                    loss_mean.update_state(float(loss.data), sample_weight=len(y_pred))
                    for m in test_metrics:
                        m.update_state(y[chunk], y_pred, sample_weight=sw)
                    logs = _logs(loss_mean, test_metrics)
                    progress.update(logs)
                    callback_list.on_test_batch_end(batch, logs)
            progress.close(logs)
        finally:
            progress.close()
        callback_list.on_test_end(logs)
        return logs

    def predict(self, x: Any, batch_size: int = 32, verbose: int | str = 1,
                callbacks: Sequence[Callback] | None = None) -> np.ndarray:
        """The model's outputs for x, in inference mode (dropout off, no graph), as a numpy
        array of shape (samples, ...)."""
        owner = f"{self.name}.predict"
        batch_size = _check_positive_int(owner, "batch_size", batch_size)
        verbose = _check_verbose(owner, verbose)
        callback_list = CallbackList(callbacks)
        x = self._check_inputs(x, owner)
        if not self.built:
            self.build(x.shape)
        callback_list.set_model(self)
        steps = math.ceil(len(x) / batch_size)
        progress = _Progress(verbose, steps, "predict")
        outputs = []
        callback_list.on_predict_begin()
        try:
            with no_grad():
                for batch in range(steps):
                    callback_list.on_predict_batch_begin(batch)
                    chunk = slice(batch * batch_size, (batch + 1) * batch_size)
                    if self.jit_compile:
                        outputs.append(self._steps().predict(x[chunk]).data)
                    else:
                        outputs.append(self(x[chunk], training=False).data)
                    progress.update({})
                    callback_list.on_predict_batch_end(batch, {"outputs": outputs[-1]})
            progress.close({})
        finally:
            progress.close()
        callback_list.on_predict_end()
        return np.concatenate(outputs, axis=0)

    def _steps(self) -> _CompiledSteps:
        """The compiled steps (ta.jit), made again when the weights or the compiled
        optimizer or loss changed."""
        key = (tuple(map(id, self.trainable_weights)), self.optimizer, self.loss)
        if self._compiled_steps is None or self._compiled_steps.key != key:
            self._compiled_steps = _CompiledSteps(self, key)
        return self._compiled_steps

    # ---- checking what comes in ----------------------------------------------------------------
    def _check_compiled(self, owner: str) -> None:
        if self.loss is None:
            raise RuntimeError(
                f"{owner}: compile the model first, e.g. model.compile(optimizer='adam', "
                "loss='mse')"
            )

    def _dtype(self) -> str:
        return self._layers[0].dtype if self._layers else config.floatx()

    def _as_array(self, data: Any, argname: str, owner: str, dtype: Any = None) -> np.ndarray:
        """Numbers as a numpy array (converted to `dtype` when given)."""
        array = data.data if isinstance(data, Tensor) else data
        try:
            array = np.asarray(array)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{owner}: {argname} must be an array of numbers ({e})") from None
        if array.dtype.kind not in "fiub":
            raise TypeError(
                f"{owner}: {argname} must hold numbers, received an array of dtype {array.dtype}"
            )
        return array if dtype is None else array.astype(dtype, copy=False)

    def _check_inputs(self, x: Any, owner: str,
                      input_shape: Sequence[int | None] | None = None) -> np.ndarray:
        """x as an array of the model's float type, of shape (samples, features), finite, and
        of the width the model takes (or, unbuilt, of `input_shape`'s width when given, and
        one its layers fit). Nothing is built here: the caller builds once all is checked."""
        if not self._layers:
            raise ValueError(f"{owner}: the model has no layers; add some first")
        x = self._as_array(x, "x", owner, self._dtype())
        if x.ndim < 2 or len(x) == 0:
            raise ValueError(
                f"{owner}: x must have shape (samples, features) with at least one sample, "
                f"received shape {x.shape}"
            )
        if not np.isfinite(x).all():
            raise ValueError(f"{owner}: x contains NaN or inf (first at row "
                             f"{int(np.argwhere(~np.isfinite(x))[0][0])})")
        expected = self._input_shape if self.built else input_shape
        if expected is not None and tuple(x.shape[1:]) != tuple(expected[1:]):
            raise ValueError(
                f"{owner}: x has {x.shape[1:]} features per sample (shape {x.shape}), but the "
                f"model takes inputs of shape {(None, *expected[1:])}"
            )
        if not self.built:
            _output_shapes(self._layers, (None, *x.shape[1:]))  # the layers fit this width
        return x

    def _check_data(self, x: Any, y: Any, owner: str,
                    input_shape: Sequence[int | None] | None = None,
                    ) -> tuple[np.ndarray, np.ndarray]:
        """x and y checked against each other, the model and the loss, before training."""
        x = self._check_inputs(x, owner, input_shape)
        y = self._as_array(y, "y", owner)
        if y.ndim == 0 or len(y) != len(x):
            raise ValueError(
                f"{owner}: x and y must have one row per sample, received {len(x)} samples in x "
                f"and {'a scalar' if y.ndim == 0 else len(y)} in y"
            )
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            raise ValueError(f"{owner}: y contains NaN or inf")
        output_shape = self.compute_output_shape(x.shape)
        # The loss itself checks y's shape and values, against a stand-in prediction of the
        # model's output shape: any y the loss accepts is fine, the rest fails here, early.
        stand_in = np.full((len(y), *output_shape[1:]), 1.0 / output_shape[-1], self._dtype())
        try:
            with no_grad():
                self.loss(y, stand_in)
        except (TypeError, ValueError) as e:
            raise type(e)(
                f"{owner}: y (shape {y.shape}) does not fit the model's output (shape "
                f"{output_shape}) under the loss {self.loss.name!r}: {e}"
            ) from None
        return x, y

    def _check_sample_weight(self, sample_weight: Any, x: np.ndarray, y: np.ndarray,
                             owner: str) -> np.ndarray | None:
        """Sample weights as a finite float array with one row per sample (or None)."""
        if sample_weight is None:
            return None
        weights = self._as_array(sample_weight, "sample_weight", owner, self._dtype())
        if weights.ndim == 0 or len(weights) != len(x):
            raise ValueError(
                f"{owner}: sample_weight must hold one weight per sample: x has {len(x)} "
                f"samples, sample_weight has shape {weights.shape}"
            )
        if not np.isfinite(weights).all():
            raise ValueError(f"{owner}: sample_weight contains NaN or inf")
        if (weights < 0).any():
            raise ValueError(f"{owner}: sample_weight must be >= 0, received a weight of "
                             f"{weights.min():g}")
        stand_in = np.full((min(len(y), 2), *self.compute_output_shape(x.shape)[1:]), 0.5,
                           self._dtype())
        try:  # the loss checks that the weights fit its per-sample values
            with no_grad():
                self.loss(y[:len(stand_in)], stand_in, sample_weight=weights[:len(stand_in)])
        except (TypeError, ValueError) as e:
            raise type(e)(f"{owner}: {e}") from None
        return weights

    def _class_weight_to_sample_weights(self, y: np.ndarray, class_weight: Any,
                                        owner: str) -> np.ndarray:
        """Keras's class_weight_to_sample_weights: each sample weighs its class's weight (the
        class is y itself, or its argmax when y is one-hot), 1 for classes not named."""
        if not isinstance(class_weight, dict):
            raise TypeError(f"{owner}: argument `class_weight` must be a dict {{class: weight}}, "
                            f"received {type(class_weight).__name__}")
        width = self.compute_output_shape((1, *self._input_shape[1:]))[-1]
        classes = width if width > 1 else 2
        for key, weight in class_weight.items():
            if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)) \
                    or not 0 <= key < classes:
                raise ValueError(
                    f"{owner}: class_weight names class {key!r}, but the model's output has "
                    f"classes 0 to {classes - 1}"
                )
            if isinstance(weight, (bool, np.bool_)) or not isinstance(weight, numbers.Real) \
                    or not math.isfinite(weight) or weight < 0:
                raise ValueError(f"{owner}: class_weight[{key}] must be a finite number >= 0, "
                                 f"received {weight!r}")
        labels = y
        if labels.ndim > 1:
            labels = labels.argmax(axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
        labels = np.round(labels).astype(np.int64)
        weights = np.ones(len(labels), dtype=self._dtype())
        for key, weight in class_weight.items():
            weights[labels == key] = weight
        return weights

    def __repr__(self) -> str:
        return f"<Sequential name={self.name}, layers={[layer.name for layer in self._layers]}>"


class _CompiledSteps:
    """`jit_compile=True`: the model's steps recorded and replayed by `ta.jit`.

    The training step is compiled in two halves, the gradients and the update, so that the
    loss and the gradients are still checked for NaN and inf, in Python, before the update
    (the same promise as eager `fit`). Gradients come from `ta.grad`, which returns them
    as recorded kernels (`backward()` would store copies in `.grad`, outside them). A step
    that cannot be replayed (a loss computed with numpy, say) runs eagerly, with a
    warning (`ta.jit(..., fallback=True)`)."""

    def __init__(self, model: Sequential, key: tuple) -> None:
        from .autograd import grad
        from .jit import jit

        self.key, self.model = key, model
        params = self.params = model.trainable_weights

        def gradients(x, y, sample_weight):
            y_pred = model(x, training=True)
            loss = model.loss(y, y_pred, sample_weight=sample_weight)
            return (loss, y_pred, *grad(loss, params, allow_unused=True))

        def update(*grads):
            model.optimizer.apply_gradients(zip(grads, params, strict=True))

        def test(x, y, sample_weight):
            y_pred = model(x, training=False)
            return model.loss(y, y_pred, sample_weight=sample_weight), y_pred

        def predict(x):
            return model(x, training=False)

        weights = model.weights  # a layer's own updates (moving statistics) must be kernels
        self.gradients = jit(gradients, fallback=True, watch=weights)
        self.update = jit(update, fallback=True)
        self.test, self.predict = jit(no_grad(test), fallback=True), jit(no_grad(predict),
                                                                         fallback=True)
        self.update_checked = False

    def train(self, x_batch: np.ndarray, y_batch: np.ndarray,
              sample_weight: np.ndarray | None = None):
        """`Sequential._train_step`, compiled."""
        loss, y_pred, *grads = self.gradients(
            x_batch, Tensor(y_batch), None if sample_weight is None else Tensor(sample_weight))
        problem = _not_finite(loss, self.params, grads)
        if problem is None:
            problem = _refused(self.update, *grads)
            if problem is None and not self.update_checked:
                self._check_update(grads)
        return float(loss.data), y_pred.data, problem

    def _check_update(self, grads: list) -> None:
        """An optimizer that changes `.data` with numpy outside an in-place operation would
        be recorded as doing nothing to the weights: its updates then run eagerly."""
        try:
            written = {id(t) for t in self.update.writes()}
        except ValueError:  # nothing recorded yet, or it already runs eagerly
            return
        self.update_checked = True
        missing = [p.name for p, g in zip(self.params, grads, strict=True)
                   if g is not None and id(p) not in written]
        if missing:
            import warnings

            warnings.warn(
                f"{self.model.name}: jit_compile: {type(self.model.optimizer).__name__} "
                f"does not write {missing[0]} with an in-place operation, so its update "
                "cannot be replayed: it runs eagerly", stacklevel=5)
            self.update = self.update.fn


# ---------------------------------------------------------------------------
# Helpers.
# ---------------------------------------------------------------------------


def _refused(update: Any, *args: Any) -> str | None:
    """Run `update(*args)`; what went wrong if the optimizer refused an update that would
    overflow (nothing changed then), else None."""
    try:
        update(*args)
    except FloatingPointError as e:
        return str(e)
    return None


def _not_finite(loss: Tensor, params: list[Tensor], grads: list) -> str | None:
    """What is NaN or inf, the loss or a gradient (None when all are finite)."""
    loss_value = float(loss.data)
    if not math.isfinite(loss_value):
        return f"the loss became {loss_value}"
    for p, g in zip(params, grads, strict=True):
        if g is not None and not np.isfinite(g.data).all():
            return f"the gradient of {p.name} contains NaN or inf"
    return None


def _check_layer(layer: Any, where: str) -> None:
    if not isinstance(layer, Layer):
        raise TypeError(
            f"{where} must be a tinygrad_acts Layer (e.g. ta.layers.Dense(8)), "
            f"received {type(layer).__name__}: {layer!r:.80}"
        )


def _output_shapes(layers: Sequence[Layer],
                   input_shape: tuple[int | None, ...]) -> list[tuple[int | None, ...]]:
    """The input shape and each layer's output shape, in order (each layer checks that its
    input fits it, e.g. Dense its width)."""
    shapes = [tuple(input_shape)]
    for layer in layers:
        shapes.append(tuple(layer.compute_output_shape(shapes[-1])))
    return shapes


def _check_verbose(owner: str, verbose: Any) -> int:
    if verbose == "auto":  # Keras's default: a progress bar
        return 1
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(
            f"{owner}: argument `verbose` must be 0, 1, 2 or 'auto', received verbose={verbose!r}"
        )
    return int(verbose)


def load_model(path: str | os.PathLike, compile: bool = True) -> Sequential:
    """A model from a file written by `Sequential.save`, or by Keras 3 (`.keras`, for the
    layers `tinygrad_acts.serialization.LAYERS` lists), or a `.safetensors` file of ours.
    With `compile=True` the model is compiled as saved (optimizer state included)."""
    from . import saving

    return saving.load_model(path, compile=compile)


def _is_interop_weights(path: Any) -> bool:
    """Keras 3's `.weights.h5` and PyTorch's `.safetensors`: tinygrad_acts/saving.py."""
    return isinstance(path, (str, os.PathLike)) and os.fspath(path).endswith(
        (".weights.h5", ".safetensors"))


def _check_npz_path(path: Any, owner: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{owner}: path must be a str or a path, received {type(path).__name__}")
    path = os.fspath(path)
    if not path.endswith(".npz"):
        raise ValueError(f"{owner}: path must end in '.npz' (a numpy archive), received {path!r}")
    return path


def _logs(loss_mean: metrics_module.Mean, metric_list: list) -> dict[str, float]:
    logs = {"loss": loss_mean.result()}
    logs.update({m.name: m.result() for m in metric_list})
    return logs


def _format_logs(logs: dict[str, float]) -> str:
    return " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())


def _readable_size(n_bytes: float) -> str:
    """Bytes in Keras's summary style: '1.38 KB'."""
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} TB"


def _is_interactive(stream: TextIO) -> bool:
    """A terminal, or a Jupyter kernel (whose output is not a tty but shows bars well)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


class _Progress:
    """What the user sees during a loop: a tqdm bar when the output is interactive and
    verbose=1, otherwise (verbose 1 or 2) one plain line at the end; nothing for verbose=0."""

    def __init__(self, verbose: int, steps: int, title: str) -> None:
        self.stream = sys.stdout
        self.steps, self.title = steps, title
        self.done = 0
        self.start = time.perf_counter()
        self.bar = None
        self.closed = verbose == 0
        if verbose == 1 and _is_interactive(self.stream):
            from tqdm import tqdm  # imported here: only training with a display needs it

            # Keras's layout: "Epoch 3/40: 32/32 |██████████| 00:01, loss: 0.1 - accuracy: 0.9"
            self.bar = tqdm(total=steps, desc=title, file=self.stream, leave=True,
                            bar_format="{desc}: {n_fmt}/{total_fmt} |{bar:20}| {elapsed}{postfix}")

    def update(self, logs: dict[str, float]) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(_format_logs(logs), refresh=False)
            self.bar.update(1)

    def message(self, text: str) -> None:
        if self.closed:
            return
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream)

    def close(self, logs: dict[str, float] | None = None) -> None:
        """Finish the display, showing `logs`; a second call does nothing."""
        if self.closed:
            return
        self.closed = True
        if self.bar is not None:
            if logs:
                self.bar.set_postfix_str(_format_logs(logs), refresh=False)
            self.bar.close()
        elif logs is not None:
            elapsed = time.perf_counter() - self.start
            parts = [self.title, f"{self.done}/{self.steps}", f"{elapsed:.2f}s"]
            if logs:
                parts.append(_format_logs(logs))
            print(" - ".join(parts), file=self.stream)
