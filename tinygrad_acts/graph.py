"""Drawing the computation graph: every tensor and every operation a result came from.

    y = ta.activations.relu(x @ w + b, negative_slope=0.1).sum()
    y.backward()
    ta.draw_graph(y)                      # a graphviz.Digraph: shows itself in Jupyter
    ta.render_graph(y, "graph.svg")       # or .png, or .dot (the DOT source)

A tensor is a box (a Graphviz "record") with its name, shape and dtype, its data and its
grad; an operation is an oval labelled like `relu(negative_slope=0.1)`, between its inputs
and its output. Parameters (leaves that require grad), constants and intermediate results
are drawn in different colours, and the operations a layer recorded are grouped in a box
named after the layer (dense, dense_1, ...), so that a model's graph reads layer by layer.

Rendering needs a Graphviz program: the system's `dot` when it is on PATH, otherwise
`graphviz-pure` (a self-contained port of Graphviz that pip installs with this package).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .autograd import topological_order
from .files import atomic_write
from .tensor import Tensor

if TYPE_CHECKING:
    import graphviz

#: Arrays with at most this many elements are shown in full; larger ones are summarised.
MAX_SHOWN = 8

FORMATS = ("svg", "png", "dot")
_PNG_MAX_INCHES = 170  # about 16,000 pixels at Graphviz's 96 dots per inch
_RANKDIRS = ("LR", "RL", "TB", "BT")

# One look per kind of node, so that a reader tells them apart at a glance.
_STYLES = {
    "parameter": {"shape": "record", "style": "filled,bold", "fillcolor": "#cfe2ff"},
    "constant": {"shape": "record", "style": "filled,dashed", "fillcolor": "#eeeeee"},
    "intermediate": {"shape": "record", "style": "filled", "fillcolor": "#ffffff"},
    "operation": {"shape": "ellipse", "style": "filled", "fillcolor": "#ffe4b5"},
}
_CLUSTER_STYLE = {"style": "rounded,filled", "fillcolor": "#f7f7f7", "color": "#999999"}


class RendererNotFoundError(RuntimeError):
    """Neither Graphviz's `dot` nor `graphviz-pure` could be found."""


# ---- what the graph holds (shared with trace_backward) ---------------------------------
def graph_tensors(root: Tensor) -> list[Tensor]:
    """Every tensor `root` was computed from, each after its inputs, constants included.

    `topological_order` visits only the tensors that require grad; the constants an
    operation used are placed just before the first tensor computed from them.
    """
    order: list[Tensor] = []
    seen: set[int] = set()
    for tensor in topological_order([root]) or [root]:
        if tensor._ctx is not None:
            for parent in tensor._ctx.parents:
                if id(parent) not in seen and not parent.requires_grad:
                    seen.add(id(parent))
                    order.append(parent)
        seen.add(id(tensor))
        order.append(tensor)
    return order


def tensor_names(tensors: list[Tensor]) -> dict[int, str]:
    """Each tensor's name, or `t<position>` for an unnamed one, keyed by `id`."""
    return {id(t): t.name if t.name else f"t{i}" for i, t in enumerate(tensors)}


def tensor_kind(tensor: Tensor) -> str:
    """'intermediate' (computed by an operation), 'parameter' (a leaf that requires grad)
    or 'constant' (a leaf that does not)."""
    if tensor._ctx is not None:
        return "intermediate"
    return "parameter" if tensor.requires_grad else "constant"


def format_number(value: Any) -> str:
    """A number with 4 significant digits: 0.1235, -1.5e+04, 3, True."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(value)
    return f"{value:.4g}"


def format_values(array: np.ndarray) -> str:
    """The values themselves for up to MAX_SHOWN elements (nested like the array), else
    mean, std, min and max."""
    if array.size <= MAX_SHOWN:
        return _nested(array)
    # float64 and no warnings: a summary of float16 values or of infinities must not fail.
    with np.errstate(all="ignore"):
        values = array.astype(np.float64)
        stats = (values.mean(), values.std(), values.min(), values.max())
    return "mean {} std {} min {} max {}".format(*map(format_number, stats))


def _nested(array: np.ndarray) -> str:
    if array.ndim == 0:
        return format_number(array.item())
    return "[" + ", ".join(_nested(row) for row in array) + "]"


# ---- drawing ---------------------------------------------------------------------------
def draw_graph(
    root: Any, *, rankdir: str | None = None, show_data: bool = True, show_grad: bool = True,
    collapse_layers: bool | None = None, sample: Any = None,
) -> graphviz.Digraph:
    """Draw the graph of operations that computed `root`.

    Args:
        root: the result tensor; the drawing goes back from it to the leaves. Or a model
            (a `Sequential`, or a layer): it is run once, forward only, on `sample`, and
            the graph of that output is drawn.
        rankdir: direction of the arrows: 'LR' (left to right), 'RL', 'TB' or 'BT'.
            Default: 'LR' for a tensor, 'TB' (top down, narrow) for a model.
        show_data: write each tensor's values (up to 8 of them, else a summary) in its box.
        show_grad: write each tensor's `.grad` too (after `backward()`).
        collapse_layers: draw each layer's operations as one box (its name, operations,
            weights and output shape), so that a model's graph fits a notebook's width;
            False draws every operation. Default: True for a model, False for a tensor.
        sample: the input a model is run on; by default one sample of the model's input
            shape (values from -1 to 1).

    Returns:
        A `graphviz.Digraph` (its subclass `Drawing`, which displays in Jupyter through
        the same renderer as `render_graph`); `.source` is the DOT text.
    """
    if not isinstance(root, Tensor):
        if not _is_model(root):
            raise TypeError(
                f"draw_graph: root must be a Tensor, received {type(root).__name__} (or a "
                "model: a Sequential or a layer)"
            )
        root = _forward_on_sample(root, sample)
        collapse_layers = True if collapse_layers is None else collapse_layers
        rankdir = "TB" if rankdir is None else rankdir
    elif sample is not None:
        raise ValueError("draw_graph: sample is for a model; root is a Tensor already")
    if collapse_layers is None:
        collapse_layers = False
    if rankdir is None:
        rankdir = "LR"
    if not isinstance(collapse_layers, bool):
        raise TypeError(f"draw_graph: collapse_layers must be a bool or None, received "
                        f"{collapse_layers!r}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {_RANKDIRS}, received {rankdir!r}")
    for argname, value in (("show_data", show_data), ("show_grad", show_grad)):
        if not isinstance(value, bool):
            raise TypeError(f"draw_graph: {argname} must be a bool, received {value!r}")
    tensors = graph_tensors(root)
    names = tensor_names(tensors)
    node_ids = {id(t): f"t{i}" for i, t in enumerate(tensors)}
    clusters = _cluster_of(tensors)

    drawing = _drawing_class()(
        name="computation graph",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "12"},
        node_attr={"fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7"},
    )
    # Nodes go into their layer's subgraph (a cluster) or at the top level; edges after them.
    bodies: dict[str | None, list[tuple[str, str, dict]]] = {}
    edges: list[tuple[str, str, dict]] = []
    for t in tensors:
        node_id, kind = node_ids[id(t)], tensor_kind(t)
        label = _record_label(t, names[id(t)], rankdir, show_data, show_grad)
        attrs = {**_STYLES[kind], "class": kind}
        if t is root:
            attrs["penwidth"] = "2"
        bodies.setdefault(clusters.get(id(t)), []).append((node_id, label, attrs))
        ctx = t._ctx
        if ctx is None:
            continue
        op_id = f"op{node_id[1:]}"
        op_attrs = {**_STYLES["operation"], "class": "operation"}
        bodies.setdefault(ctx.scope, []).append((op_id, _plain(ctx.label()), op_attrs))
        for position, parent in enumerate(ctx.parents):
            attrs = {}
            if len(ctx.parents) > 1:  # say which input is which: a, b, ... as in the rules
                attrs["headlabel"] = argument_name(position)
            if not parent.requires_grad:
                # A heavier edge keeps a constant next to its operation; it also spares dot's
                # layout much of its work on long chains (x * 0.5 * 0.5 ...).
                attrs["weight"] = "3"
            edges.append((node_ids[id(parent)], op_id, attrs))
        edges.append((op_id, node_id, {}))

    if collapse_layers:
        bodies, edges = _collapsed(bodies, edges, tensors, node_ids, clusters, root, rankdir)
    for scope, nodes in bodies.items():
        if scope is None:
            _add_nodes(drawing, nodes)
            continue
        # A layer called twice records twice under one name: one cluster holds both.
        with drawing.subgraph(name=f"cluster_{scope}") as cluster:
            cluster.attr(label=_plain(scope), **_CLUSTER_STYLE)
            _add_nodes(cluster, nodes)
    for tail, head, attrs in edges:
        drawing.edge(tail, head, **attrs)
    return drawing


def _is_model(obj: Any) -> bool:
    from .layers import Layer
    from .models import Sequential

    return isinstance(obj, (Sequential, Layer))


def _forward_on_sample(model: Any, sample: Any) -> Tensor:
    """The output of one forward pass of `model` on `sample` (by default one sample of the
    model's input shape, values spread from -1 to 1)."""
    if sample is None:
        shape = getattr(model, "_input_shape", None)
        if shape is None:
            layers = getattr(model, "layers", [model])
            width = getattr(layers[0], "input_dim", None) if layers else None
            shape = None if width is None else (None, width)
        if shape is None:
            raise ValueError(
                f"draw_graph: the input shape of {getattr(model, 'name', 'the model')} is "
                "unknown: give the first layer input_dim=..., build the model, or pass "
                "sample= (an input batch)"
            )
        features = tuple(int(n) for n in shape[1:])
        size = int(np.prod(features))
        sample = np.linspace(-1.0, 1.0, size, dtype=np.float32).reshape(1, *features)
    if not isinstance(sample, Tensor):
        sample = Tensor(sample, name="input")
    output = model(sample)
    if not isinstance(output, Tensor):
        raise TypeError(f"draw_graph: the model returned {type(output).__name__}, not a Tensor")
    return output


def _collapsed(bodies: dict, edges: list, tensors: list[Tensor], node_ids: dict[int, str],
               clusters: dict[int, str], root: Tensor, rankdir: str) -> tuple[dict, list]:
    """Each layer's box as one node: the layer's name, its operations in order, its weights
    and its output's shape; edges into and out of the layer join that node."""
    owner: dict[str, str] = {}  # node id -> its layer's node id
    summaries: dict[str, dict] = {}
    for t in tensors:
        scope = clusters.get(id(t))
        if scope is None:
            continue
        layer_id = "layer_" + "".join(c if c.isalnum() else "_" for c in scope)
        summary = summaries.setdefault(scope, {"id": layer_id, "ops": [], "weights": [],
                                               "output": None})
        owner[node_ids[id(t)]] = layer_id
        if t._ctx is not None:
            owner["op" + node_ids[id(t)][1:]] = layer_id
            summary["ops"].append(t._ctx.label())
            summary["output"] = t
        elif t.requires_grad:
            short = t.name[len(scope) + 1:] if t.name and t.name.startswith(scope + "/") else (
                t.name or "weight")
            summary["weights"].append(f"{short} {t.shape}")
    new_bodies: dict[str | None, list] = {None: list(bodies.get(None, []))}
    for scope, summary in summaries.items():
        out = summary["output"]
        rows = [_escape_record(scope), _escape_record(" → ".join(summary["ops"]))]
        if summary["weights"]:
            rows.append(_escape_record(", ".join(summary["weights"])))
        if out is not None:
            rows.append(_escape_record(f"output {out.shape} {out.dtype}"))
        attrs = {"shape": "record", "style": "rounded,filled", "fillcolor": "#f7f7f7",
                 "class": "layer"}
        if out is root:
            attrs["penwidth"] = "2"
        body = "|".join(rows)  # fields one under the other, whichever way the graph runs
        new_bodies[None].append((summary["id"], body if rankdir in ("LR", "RL") else
                                 "{" + body + "}", attrs))
    new_edges, seen = [], set()
    for tail, head, attrs in edges:
        tail, head = owner.get(tail, tail), owner.get(head, head)
        if tail == head or (tail, head) in seen:
            continue
        seen.add((tail, head))
        new_edges.append((tail, head, attrs if not (tail.startswith("layer_")
                                                    or head.startswith("layer_")) else {}))
    return new_bodies, new_edges


def _add_nodes(graph: graphviz.Digraph, nodes: list[tuple[str, str, dict]]) -> None:
    for node_id, label, attrs in nodes:
        graph.node(node_id, label, **attrs)


def argument_name(position: int) -> str:
    """a, b, c, ...: the names the derivative rules give an operation's inputs."""
    return chr(ord("a") + position) if position < 26 else f"x{position}"


def _cluster_of(tensors: list[Tensor]) -> dict[int, str]:
    """The layer whose box each tensor is drawn in, keyed by `id` (absent: outside any).

    An operation's output goes with the operation. A leaf goes in a layer's box when it is
    that layer's weight (`Layer.add_weight` names them 'dense/kernel'), or when it is a
    one-element constant used only by that layer (a number inside its formula).
    """
    consumers: dict[int, set[str | None]] = {}
    for t in tensors:
        if t._ctx is not None:
            for parent in t._ctx.parents:
                consumers.setdefault(id(parent), set()).add(t._ctx.scope)
    clusters: dict[int, str] = {}
    for t in tensors:
        if t._ctx is not None:
            if t._ctx.scope is not None:
                clusters[id(t)] = t._ctx.scope
            continue
        scopes = consumers.get(id(t), set())
        if len(scopes) != 1 or None in scopes:
            continue
        (scope,) = scopes
        own_weight = t.name is not None and t.name.startswith(scope + "/")
        if own_weight or (not t.requires_grad and t.size == 1):
            clusters[id(t)] = scope
    return clusters


def _record_label(tensor: Tensor, name: str, rankdir: str, show_data: bool, show_grad: bool) -> str:
    """`name | shape dtype` on one row, then a row for the data and one for the grad."""
    shape = "scalar" if tensor.ndim == 0 else str(tensor.shape)
    rows = ["{" + _escape_record(name) + "|" + _escape_record(f"{shape} {tensor.dtype}") + "}"]
    if show_data:
        rows.append(_escape_record("data " + format_values(tensor.data)))
    if show_grad and tensor.requires_grad:
        grad = "None" if tensor.grad is None else format_values(tensor.grad.data)
        rows.append(_escape_record("grad " + grad))
    body = "|".join(rows)
    # A record stacks its fields vertically when the graph runs left-right, and side by
    # side when it runs top-down; braces flip that, so a box reads the same both ways.
    return body if rankdir in ("LR", "RL") else "{" + body + "}"


_RECORD_SPECIALS = str.maketrans(
    {c: "\\" + c for c in "\\{}|<>"} | {"\n": " ", "\r": " ", "\t": " "}
)


def _escape_record(text: str) -> str:
    """Text as one field of a record label: backslash before the characters that would
    otherwise split it into fields or ports, and no line breaks."""
    return text.translate(_RECORD_SPECIALS)


def _plain(text: str) -> str:
    """Text as an ordinary label: backslashes kept literal, never read as HTML."""
    import graphviz

    return graphviz.nohtml(text.replace("\\", "\\\\").replace("\n", " "))


# ---- Jupyter ---------------------------------------------------------------------------
@functools.cache
def _drawing_class() -> type:
    """`Drawing`, made on first use: graphviz is imported only when drawing, so that
    `import tinygrad_acts` stays light."""
    import graphviz

    class Drawing(graphviz.Digraph):
        """A graphviz.Digraph that displays inline in Jupyter through `render_source`.

        graphviz's own display runs a program named `dot`, which a pip-only machine lacks;
        this one uses the system's dot when there is one and graphviz-pure otherwise.
        """

        def _repr_image_svg_xml(self) -> str:
            return render_source(self.source, "svg").decode("utf-8")

        def _repr_image_png(self) -> bytes:
            return render_source(self.source, "png")

        def _repr_image_jpeg(self) -> bytes:
            return render_source(self.source, "jpeg")

        _repr_svg_ = _repr_image_svg_xml

    Drawing.__module__ = __name__
    Drawing.__qualname__ = "Drawing"
    return Drawing


def __getattr__(name: str) -> Any:
    # `from tinygrad_acts.graph import Drawing` works, without importing graphviz before.
    if name == "Drawing":
        return _drawing_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---- rendering -------------------------------------------------------------------------
def find_renderer() -> str | None:
    """The Graphviz program to run: `dot` on PATH, else `graphviz-pure` on PATH or in this
    Python environment's scripts folder (pip puts it there, and that folder need not be on
    PATH, e.g. when a virtual environment is used without being activated)."""
    dot = shutil.which("dot")
    if dot:
        return dot
    folders = [os.environ.get("PATH", "")]
    folders += [sysconfig.get_path("scripts", scheme) for scheme in _script_schemes()]
    return shutil.which("graphviz-pure", path=os.pathsep.join(f for f in folders if f))


def _script_schemes() -> list[str]:
    # The environment's own scheme, and the per-user one of `pip install --user`.
    return [sysconfig.get_default_scheme(), sysconfig.get_preferred_scheme("user")]


def render_source(source: str, format: str) -> bytes:
    """Lay out DOT `source` with Graphviz's dot algorithm and return it as `format`
    ('svg', 'png' or 'jpeg') bytes."""
    program = find_renderer()
    if program is None:
        raise RendererNotFoundError(
            "No Graphviz renderer found: neither `dot` on PATH nor `graphviz-pure` (on PATH or "
            f"in {sysconfig.get_path('scripts')}). Either `pip install graphviz-pure`, or "
            "install Graphviz itself (https://graphviz.org/download/, e.g. `apt install "
            "graphviz` or `brew install graphviz`) so that `dot` is on PATH."
        )
    command = [program, "-Kdot", f"-T{format}"]
    if format in ("png", "jpeg"):
        # Scale a huge drawing down to fit (as dot's cairo renderer does at 32767 pixels)
        # rather than allocate a bitmap of gigabytes: SVG is the format for big graphs.
        command.append(f"-Gsize={_PNG_MAX_INCHES},{_PNG_MAX_INCHES}")
    process = subprocess.run(command, input=source.encode("utf-8"), capture_output=True)
    if process.returncode != 0:
        raise RuntimeError(
            f"{program} failed (exit code {process.returncode}): "
            f"{process.stderr.decode('utf-8', 'replace').strip()}"
        )
    return process.stdout


def render_graph(
    root: Tensor, path: str | os.PathLike, format: str | None = None, **draw_options: Any
) -> Path:
    """Draw the graph of `root` (see `draw_graph`) and write it to `path`.

    Args:
        root: the result tensor.
        path: the file to write; its suffix gives the format when `format` is None.
        format: 'svg', 'png' or 'dot' (the DOT source, which needs no renderer); when
            given, it wins over the suffix. A PNG is at most about 16,000 pixels wide or
            high (larger drawings are scaled down): SVG suits big graphs better.
        **draw_options: passed to `draw_graph` (`rankdir`, `show_data`, `show_grad`).

    Returns:
        The path written. The file is replaced in one step: a failure leaves whatever was
        there before untouched.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"render_graph: path must be a str or a path, received {path!r}")
    path = Path(path)
    if format is None:
        if not path.suffix:
            raise ValueError(
                f"render_graph: path {str(path)!r} has no suffix to take the format from; "
                f"give one of {FORMATS} as the suffix or as format="
            )
        format, origin = path.suffix[1:].lower(), f"from the suffix of {str(path)!r}"
    elif isinstance(format, str):
        format, origin = format.lower(), "given as format="
    else:
        raise TypeError(f"render_graph: format must be a str or None, received {format!r}")
    if format not in FORMATS:
        raise ValueError(
            f"render_graph: unknown format {format!r} ({origin}); expected one of {FORMATS}"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(f"render_graph: the folder {str(path.parent)!r} does not exist")
    source = draw_graph(root, **draw_options).source
    content = source.encode("utf-8") if format == "dot" else render_source(source, format)
    with atomic_write(path) as file:
        file.write(content)
    return path
