"""Pictures: activations with their first and second derivatives, decision boundaries,
per-layer statistics and training curves (matplotlib, an optional extra:
`pip install "tinygrad_acts[plot]"`).

The derivatives are not written down anywhere here: `derivatives` asks the engine for them,
differentiating the backward pass itself (`ta.grad(..., create_graph=True)`), which is the
point of writing every backward rule in Tensor operations.

    from tinygrad_acts import plots
    plots.plot_activation("selu", "selu.png")          # f, f', f'' over [-5, 5]
    plots.activation_gallery("gallery/")                # one PNG per activation + overview.png

The figures are made with matplotlib's object-oriented API (`matplotlib.figure.Figure`),
not with pyplot: no backend is chosen or changed, so this works the same on a headless
server (the file is drawn by the Agg renderer matplotlib picks for the format) and leaves a
notebook's inline backend alone; a returned Figure shows itself inline in Jupyter. Every
file is written under a temporary name in its folder and then renamed over the target, so
a reader never sees half a picture; missing folders are created.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from . import activations
from .autograd import grad
from .files import atomic_write
from .grad_mode import no_grad
from .ops import stack
from .tensor import Tensor

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "activation_gallery",
    "derivatives",
    "draw_activation_statistics",
    "plot_activation_statistics",
    "plot_activation",
    "plot_decision_boundary",
    "plot_history",
    "plot_layer_statistics",
    "require_matplotlib",
]

_INSTALL_HINT = 'pip install "tinygrad_acts[plot]"'

# The activations that act on a vector along an axis (not `elementwise` in the registry) are
# drawn as a function of one number x through the vector [x, 0] (the softmax family: the
# first component, i.e. a sigmoid-like curve for softmax), glu through [x, 1] (x * sigmoid(1),
# a straight line: glu is linear in its first half). See `_curve`.
_SECOND_COMPONENT = {"glu": 1.0}

_CURVES = (("f(x)", "C0", "-"), ("f'(x)", "C1", "--"), ("f''(x)", "C2", ":"))


def require_matplotlib() -> ModuleType:
    """matplotlib, or an ImportError that says how to install it."""
    try:
        import matplotlib
        import matplotlib.colors
        import matplotlib.figure  # Figure: what every plot here draws on
    except ImportError as e:
        raise ImportError(
            f"Plotting needs matplotlib, which is not installed ({e}). Install it with: "
            f"{_INSTALL_HINT}"
        ) from None
    return matplotlib


def new_figure(**kwargs: Any) -> Figure:
    """A matplotlib Figure (keyword arguments as `Figure`'s), made without pyplot, so that no
    backend is chosen: it saves anywhere and shows inline in a notebook."""
    return require_matplotlib().figure.Figure(**kwargs)


def save_figure(figure: Figure, path: str | os.PathLike) -> Path:
    """Write `figure` to `path` (the format from its suffix) in one step, creating folders."""
    path = Path(path)
    fmt = path.suffix[1:].lower()
    supported = figure.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise ValueError(
            f"cannot save a plot to {str(path)!r}: the suffix must be one of "
            f"{', '.join('.' + s for s in sorted(supported))}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as file:
        figure.savefig(file, format=fmt)
    return path


# ---- activations and their derivatives -------------------------------------------------------


def derivatives(fn: Callable[[Tensor], Tensor], x: Any, order: int = 2) -> list[np.ndarray]:
    """f(x), f'(x), ..., the `order`-th derivative, for an element-wise function f, by
    differentiating the backward pass again and again.

    Each step is one call: `(d,) = ta.grad(d.sum(), x, create_graph=True)`. Summing first is
    right because f acts element by element: d(sum_j f(x_j)) / dx_i = f'(x_i). With
    `create_graph=True` the result is itself a graph, ready to be differentiated once more.
    A derivative that no longer depends on x (relu' is a constant 0 or 1) has derivative 0.

    Args:
        fn: an element-wise function of a Tensor, e.g. `ta.activations.selu`.
        x: the points, as numbers; computed in float64.
        order: how many derivatives (>= 0).

    Returns:
        `order + 1` float64 arrays of x's shape: f, f', f'', ...
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise ValueError(f"derivatives: argument `order` must be an int >= 0, received {order!r}")
    x = Tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    d = fn(x)
    values = [d.data.copy()]
    for _ in range(order):
        if d.requires_grad:
            (d,) = grad(d.sum(), x, create_graph=True)
        else:
            d = Tensor(np.zeros_like(x.data))
        values.append(d.data.copy())
    return values


def _curve(name_or_fn: str | Callable, params: dict) -> tuple[str, Callable[[Tensor], Tensor]]:
    """A label and an element-wise function of x for an activation (name or function)."""
    fn = activations.get(name_or_fn)
    try:
        name = canonical = activations.serialize(fn)
    except ValueError:  # the user's own function
        name, canonical = getattr(fn, "__name__", type(fn).__name__), None
    args = ", ".join(f"{key}={value!r}" for key, value in params.items())
    label = f"{name}({args})" if args else name
    if canonical is None or activations.registry.ENTRIES[canonical].elementwise:
        return label, lambda x: fn(x, **params)
    second = _SECOND_COMPONENT.get(canonical, 0.0)

    def first_component(x: Tensor) -> Tensor:
        pair = stack([x, Tensor(np.full(x.shape, second))], axis=-1)
        return fn(pair, **params)[..., 0]

    return label + f" on [x, {second:g}]", first_component


def _draw_activation(ax: Axes, label: str, fn: Callable, x_range: tuple[float, float],
                     legend: bool = True, values: list[np.ndarray] | None = None) -> None:
    """f, f' and f'' of `fn` over `x_range` (or the `values` computed already at 801 points
    of it), with the axes through 0."""
    x = np.linspace(x_range[0], x_range[1], 801)
    for curve, (name, color, style) in zip(values or derivatives(fn, x), _CURVES, strict=True):
        ax.plot(x, curve, color=color, linestyle=style, label=name)
    ax.axhline(0.0, color="0.75", linewidth=0.8, zorder=0)
    ax.axvline(0.0, color="0.75", linewidth=0.8, zorder=0)
    ax.set_title(label)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(loc="best", fontsize="small")


def plot_activation(
    fn_or_name: str | Callable,
    path: str | os.PathLike | None = None,
    x_range: tuple[float, float] = (-5.0, 5.0),
    ax: Axes | None = None,
    **params: Any,
) -> Figure:
    """Draw an activation with its first and second derivatives (computed by the engine).

    softmax, log_softmax and sparsemax are drawn on the vector [x, 0] along the last axis
    (their first component), glu on [x, 1] (x * sigmoid(1)).

    Args:
        fn_or_name: an activation's name ('selu') or an element-wise function of a Tensor.
        path: where to save the picture (.png, .svg, .pdf, ...), or None.
        x_range: the interval of x drawn.
        ax: matplotlib Axes to draw in (default: a new figure).
        **params: the activation's parameters, e.g. `negative_slope=0.1`.

    Returns:
        The Figure drawn on (shown inline in Jupyter).
    """
    low, high = _check_range(x_range)
    label, fn = _curve(fn_or_name, params)
    if ax is None:
        figure = new_figure(figsize=(5, 3.6))
        # Fixed margins: an automatic layout would double the time a gallery takes.
        figure.subplots_adjust(left=0.11, right=0.97, bottom=0.14, top=0.9)
        ax = figure.add_subplot()
    _draw_activation(ax, label, fn, (low, high))
    ax.set_xlabel("x")
    if path is not None:
        save_figure(ax.figure, path)
    return ax.figure


def _check_range(x_range: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in x_range)
    except (TypeError, ValueError):
        raise TypeError(
            f"plot_activation: argument `x_range` must be a pair (low, high), "
            f"received x_range={x_range!r}"
        ) from None
    if not np.isfinite([low, high]).all() or low >= high:
        raise ValueError(
            f"plot_activation: argument `x_range` must be finite with low < high, "
            f"received x_range={x_range!r}"
        )
    return low, high


def _gallery_params(name: str) -> dict[str, Any]:
    """The parameters an activation is drawn with: those of the first form its page
    registers (its defaults, but for `threshold`, which has none)."""
    return dict(activations.registry.FORMS[name][0].params)


def _gallery_names(names: Iterable[str] | None) -> list[str]:
    """The names to draw: every registered one by default (the 30 canonical names of the
    built-in activations, aliases left out), else those given, once each."""
    if names is None:
        return sorted(activations.registry.CANONICAL)
    chosen = [] if isinstance(names, str) else list(dict.fromkeys(names))
    if not chosen or any(n not in activations.ACTIVATIONS for n in chosen):
        raise ValueError(
            f"activation_gallery: argument `names` must be a non-empty list of activation "
            f"names, received {names!r}; known names: {', '.join(sorted(activations.ACTIVATIONS))}"
        )
    return chosen


def activation_gallery(output_dir: str | os.PathLike,
                       names: Iterable[str] | None = None) -> list[Path]:
    """Draw activations with f, f' and f'' over [-5, 5], one `<name>.png` each, and all of
    them in one grid, `overview.png`.

    Args:
        output_dir: the folder for the pictures (created if missing).
        names: the activations to draw; by default every registered one under its canonical
            name (swish and hard_swish are silu and hard_silu, drawn once).

    Returns:
        The paths written, the overview last.
    """
    require_matplotlib()
    names = _gallery_names(names)
    output_dir = Path(output_dir)
    x_range = (-5.0, 5.0)
    x = np.linspace(*x_range, 801)
    curves = {name: _curve(name, _gallery_params(name)) for name in names}
    values = {name: derivatives(fn, x) for name, (_, fn) in curves.items()}

    # Drawing, not the derivatives, is what takes the time: a new figure per activation
    # spent most of it building axes and ticks, and a grid of 30 more axes as long again.
    # So one figure, laid out as plot_activation lays out its own, is drawn once per
    # activation with only its curves, limits and title changed, and the overview is
    # those very pictures, tiled.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    first, *_ = names
    figure = new_figure(figsize=(5, 3.6))
    figure.subplots_adjust(left=0.11, right=0.97, bottom=0.14, top=0.9)
    canvas = FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    _draw_activation(ax, curves[first][0], None, x_range, values=values[first])
    ax.set_xlabel("x")
    lines = ax.get_lines()[: len(_CURVES)]
    paths, tiles = [], []
    for name in names:
        for line, curve in zip(lines, values[name], strict=True):
            line.set_ydata(curve)
        ax.relim()
        ax.autoscale_view()
        ax.set_title(curves[name][0])
        ax.legend(loc="best", fontsize="small")
        canvas.draw()
        tiles.append(np.asarray(canvas.buffer_rgba()).copy())
        paths.append(_save_pixels(tiles[-1], output_dir / f"{name}.png"))
    columns = min(5, len(tiles))
    rows = -(-len(tiles) // columns)
    height, width, depth = tiles[0].shape
    grid = np.full((rows * height, columns * width, depth), 255, dtype=np.uint8)
    for i, tile in enumerate(tiles):
        row, column = divmod(i, columns)
        grid[row * height:(row + 1) * height, column * width:(column + 1) * width] = tile
    paths.append(_save_pixels(grid, output_dir / "overview.png"))
    return paths


def _save_pixels(pixels: np.ndarray, path: Path) -> Path:
    """Write an RGBA image (rows, columns, 4) as a PNG, in one step."""
    import matplotlib.image

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as file:
        matplotlib.image.imsave(file, pixels, format="png")
    return path


# ---- models: decision boundaries and training curves -------------------------------------------


def _predicted_classes(model: Any, points: np.ndarray) -> np.ndarray:
    """The class the model gives each point: the largest output, or for one output the
    side of the cut-off (0 for logits, 0.5 for probabilities, as the accuracy metric says)."""
    with no_grad():
        outputs = model(points)
    outputs = np.asarray(outputs.data if isinstance(outputs, Tensor) else outputs)
    if outputs.shape[-1] > 1:
        return np.argmax(outputs, axis=-1)
    threshold = 0.5
    if getattr(model, "loss", None) is not None:
        from .metrics import accuracy_for

        metric = accuracy_for(model.loss, (len(points),), outputs.shape)
        threshold = getattr(metric, "threshold", threshold)
    return (outputs[:, 0] > threshold).astype(np.int64)


def plot_decision_boundary(model: Any, X: Any, y: Any, path: str | os.PathLike,
                           title: str | None = None) -> Path:
    """Colour the plane by the class a 2-D classifier predicts, with the data on top.

    Args:
        model: a model taking inputs of shape (n, 2) (e.g. a `Sequential`).
        X: the points, shape (n, 2).
        y: their integer labels, shape (n,).
        path: the picture's file (.png, .svg, .pdf, ...).
        title: default: the share of the points the model gets right.

    Returns:
        The path written.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(
            f"plot_decision_boundary: X must have shape (n, 2) with n >= 1, received {X.shape}"
        )
    if len(y) != len(X):
        raise ValueError(
            f"plot_decision_boundary: y must have one label per point of X ({len(X)}), "
            f"received {len(y)}"
        )
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-3)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], 300)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], 300)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    classes = _predicted_classes(model, grid).reshape(grid_x.shape)
    accuracy = float(np.mean(_predicted_classes(model, X) == y))

    figure = new_figure(figsize=(5.5, 4.5), layout="constrained")
    ax = figure.add_subplot()
    n_classes = int(max(classes.max(), y.max())) + 1
    # One colour per class (C0, C1, ...), the regions pale and the points solid.
    cmap = require_matplotlib().colors.ListedColormap([f"C{k}" for k in range(n_classes)])
    bounds = {"vmin": -0.5, "vmax": n_classes - 0.5}
    ax.contourf(grid_x, grid_y, classes, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap,
                alpha=0.25, **bounds)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, s=12, edgecolors="k", linewidths=0.3,
               **bounds)
    ax.set_title(title if title is not None else f"decision boundary: {accuracy:.1%} right")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return save_figure(figure, path)


def plot_layer_statistics(stats: Mapping[str, Mapping[str, Any]], path: str | os.PathLike) -> Path:
    """Per-layer mean and variance of the activations, one curve per network.

    Args:
        stats: `{label: {'mean': per-layer means, 'var': per-layer variances}}`, e.g.
            `{'selu, lecun_normal': selfnorm.layer_statistics('selu'), ...}`.
        path: the picture's file.

    Returns:
        The path written. The variance is drawn on a log scale: ReLU's halves at each layer.
    """
    if not isinstance(stats, Mapping) or not stats:
        raise ValueError(
            "plot_layer_statistics: argument `stats` must be a non-empty dict "
            f"{{label: {{'mean': ..., 'var': ...}}}}, received {stats!r:.80}"
        )
    for label, entry in stats.items():
        if not isinstance(entry, Mapping) or not {"mean", "var"} <= set(entry):
            raise ValueError(
                f"plot_layer_statistics: stats[{label!r}] must have 'mean' and 'var', "
                f"received {entry!r:.80}"
            )
    figure = new_figure(figsize=(10, 4), layout="constrained")
    ax_mean, ax_var = figure.subplots(1, 2)
    # Several means lie near 0 (SELU's and tanh's within 0.01): each curve gets its own line
    # style and marker, the first drawn on top, and the mean's axis is linear only within
    # 0.01 of 0 (symlog), so that no curve hides another.
    styles = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1))]
    markers = "osD^vP*X"
    count = len(stats)
    for i, (label, entry) in enumerate(stats.items()):
        mean, var = np.asarray(entry["mean"]), np.asarray(entry["var"])
        layers = np.arange(1, len(mean) + 1)
        style = {"linestyle": styles[i % len(styles)], "marker": markers[i % len(markers)],
                 "markersize": 4, "markevery": max(1, len(mean) // 8), "label": label,
                 "zorder": 2 + count - i, "linewidth": 2.2 if i == 0 else 1.4}
        ax_mean.plot(layers, mean, **style)
        ax_var.plot(layers, var, **style)
    ax_mean.axhline(0.0, color="0.5", linewidth=0.8, linestyle="--")
    ax_var.axhline(1.0, color="0.5", linewidth=0.8, linestyle="--")
    ax_mean.set_yscale("symlog", linthresh=0.01)
    ax_mean.set(title="mean of each layer's activations (linear within 0.01 of 0)",
                xlabel="layer", ylabel="mean")
    ax_var.set(title="variance (log scale)", xlabel="layer", ylabel="variance", yscale="log")
    for ax in (ax_mean, ax_var):
        ax.grid(alpha=0.3)
    ax_var.legend(fontsize="small")
    return save_figure(figure, path)


def plot_history(history: Any, path: str | os.PathLike) -> Path:
    """Training curves: the loss (and `val_loss`) per epoch, and the other metrics beside it.

    Args:
        history: what `fit` returns (a `History`) or its `.history` dict.
        path: the picture's file.

    Returns:
        The path written.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or "loss" not in logs:
        raise ValueError(
            "plot_history: argument `history` must be a History or a dict with a 'loss' "
            f"entry, received {history!r:.80}"
        )
    metrics = sorted({key.removeprefix("val_") for key in logs} - {"loss"})
    groups = [["loss"], metrics] if metrics else [["loss"]]
    figure = new_figure(figsize=(5 * len(groups), 3.8), layout="constrained")
    axes = figure.subplots(1, len(groups), squeeze=False).ravel()
    for ax, names in zip(axes, groups, strict=True):
        drawn = []
        for name in names:
            for key, style in ((name, "-"), (f"val_{name}", "--")):
                if key in logs:
                    values = np.asarray(logs[key], dtype=np.float64)
                    ax.plot(np.arange(1, len(values) + 1), values, style, label=key)
                    drawn.append(values)
        _at_least_span(ax, np.concatenate(drawn) if drawn else np.array([]))
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    axes[0].set_title("loss")
    if metrics:
        axes[1].set_title("metrics")
    return save_figure(figure, path)


#: The least height of a training curve's y axis, as a fraction of the largest |value|:
#: matplotlib fits the axis to the data, so a loss that does not move (0.69320 to 0.69327,
#: a network that learns nothing) would fill the plot with its noise and look like learning.
MIN_Y_SPAN = 0.1


def _at_least_span(ax: Axes, values: np.ndarray, fraction: float = MIN_Y_SPAN) -> None:
    """Widen the y axis, about the middle of `values`, to at least `fraction` of their
    largest magnitude (and at least 1e-3), so that a flat curve is drawn flat."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return
    low, high = float(finite.min()), float(finite.max())
    span = max(fraction * max(abs(low), abs(high)), 1e-3)
    if high - low < span:
        middle = (low + high) / 2
        ax.set_ylim(middle - 0.55 * span, middle + 0.55 * span)


# ---- ActivationStatistics: layers by epochs ----------------------------------------------

_STATISTIC_TITLES = {"mean": "mean", "var": "variance (log)",
                     "zero_fraction": "fraction of zeros", "grad_rms": "gradient rms (log)"}


def draw_activation_statistics(stats: Any, axes: Iterable[Axes],
                               limits: Mapping[str, tuple[float, float]] | None = None,
                               label: str | None = None) -> None:
    """Draw an `ActivationStatistics`' four heatmaps (mean, var, zero_fraction, grad_rms),
    layers (bottom: first) by epochs, on four matplotlib Axes, each with its colour bar.

    The variance and the gradient's rms are on a log scale (ReLU's vanish by factors of
    thousands); the mean on a scale centred on 0; the fraction of zeros from 0 to 1.
    `limits` may fix a statistic's colour range, `{'var': (1e-10, 10), ...}`, so that
    several networks are drawn on one scale; `label` is put before each title.
    """
    colors = require_matplotlib().colors
    limits = {**stats.limits(), **(limits or {})}
    prefix = f"{label}: " if label else ""
    for ax, name in zip(axes, _STATISTIC_TITLES, strict=True):
        low, high = limits[name]
        if name in ("var", "grad_rms"):
            norm, cmap = colors.LogNorm(low, high), "viridis"
        elif name == "mean":
            norm, cmap = colors.TwoSlopeNorm(0.0, low, high), "RdBu_r"
        else:
            norm, cmap = colors.Normalize(low, high), "magma"
        values = np.ma.masked_invalid(getattr(stats, name).T)  # rows: layers
        if name in ("var", "grad_rms"):
            values = np.ma.masked_less_equal(values, 0.0)  # log scale: 0 has no place
        # One cell per (record, layer), centred on its epoch and its layer number.
        mesh = ax.pcolormesh(stats.epochs, np.arange(1, len(stats.layer_names) + 1), values,
                             norm=norm, cmap=cmap, shading="nearest")
        ax.figure.colorbar(mesh, ax=ax)
        ax.set(title=prefix + _STATISTIC_TITLES[name], xlabel="epoch", ylabel="layer")


def plot_activation_statistics(stats: Any, path: str | os.PathLike,
                               title: str | None = None) -> Path:
    """An `ActivationStatistics`' four heatmaps side by side, written to `path`."""
    figure = new_figure(figsize=(16, 4.2), layout="constrained")
    draw_activation_statistics(stats, figure.subplots(1, len(_STATISTIC_TITLES)))
    if title is not None:
        figure.suptitle(title)
    return save_figure(figure, path)
