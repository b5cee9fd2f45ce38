"""The backward pass, one step at a time, in a page of its own: `explore(root, path=None)`.

    x = ta.Tensor(0.8814, requires_grad=True, name="x")
    y = ta.activations.tanh(x * 2.0)
    ta.explore(y, "backward.html")     # open it in any browser, no network needed
    ta.explore(y)                      # in Jupyter: the same page, inline

The page shows the graph (laid out by Graphviz, as `render_graph` draws it) and steps
through the forward pass, then the backward pass in the order `backward()` runs it. Each
backward step lights up one operation, shows the gradient arriving at its output, its
derivative rule in words (the Function's `derivative` text) and in numbers, and writes the
gradient it hands to each input onto that input's box. Where a tensor is used more than
once, the page shows its parts being summed. After the last step every box shows its
tensor's gradient, the one `backward()` gives.

Before `backward()`, the page runs a pass of its own, as `trace_backward` does: no `.grad`
is touched. After it, the page shows the recorded `.grad` of every tensor (every node keeps
its grad); where `backward()` freed the saved values, the rules are not run again, and a
tensor used more than once shows its total only.

Everything is in the one HTML file: the drawing as inline SVG, the steps as JSON, and the
script and style from `tinygrad_acts/assets/`. Nothing is fetched when it opens.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
from importlib import resources
from pathlib import Path

import numpy as np

from .autograd import topological_order
from .files import atomic_write
from .function import Function
from .function import short_repr as _short
from .grad_mode import no_grad
from .graph import (
    _CLUSTER_STYLE,
    _STYLES,
    _cluster_of,
    _escape_record,
    _plain,
    argument_name,
    format_number,
    format_values,
    graph_tensors,
    render_source,
    tensor_kind,
    tensor_names,
)
from .tensor import Tensor
from .trace import _factor, _wrapped

#: Where `find_chromium` looks, after the TINYGRAD_ACTS_CHROMIUM environment variable.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def explore(root: Tensor, path: str | os.PathLike | None = None) -> ExplorerPage | Path:
    """Step through the backward pass from `root` in an interactive, self-contained page.

    Args:
        root: a result computed by operations (it must have a graph); a scalar, or any
            shape once `root.backward(grad)` has run.
        path: the HTML file to write. When None, the page is returned instead as an
            `ExplorerPage`, which Jupyter shows inline.

    Returns:
        `path` (a Path) once written, or the `ExplorerPage`.

    No `.grad` is changed and the graph stays usable: `backward()` can run after it.
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"explore: path must be a str, a path or None, received {path!r}")
    if path is not None and not Path(path).parent.is_dir():
        raise FileNotFoundError(f"explore: the folder {str(Path(path).parent)!r} does not exist")
    page = ExplorerPage(explore_html(root))
    if path is None:
        return page
    return page.save(path)


class ExplorerPage:
    """An explorer page: `.html` is the whole page; Jupyter shows it in an iframe."""

    def __init__(self, page: str) -> None:
        self.html = page

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to `path` (replaced in one step) and return it as a Path."""
        path = Path(path)
        with atomic_write(path, "w") as file:
            file.write(self.html)
        return path

    def _repr_html_(self) -> str:
        # srcdoc keeps the page apart from the notebook: its script and style stay its own.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            'style="width:100%;height:680px;border:1px solid #ccc" '
            'sandbox="allow-scripts"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<ExplorerPage: {len(self.html.encode('utf-8')):,} bytes; .save(path) writes it>"


# ---- the steps --------------------------------------------------------------------------
def explore_html(root: Tensor) -> str:
    """The page for `root`, as a string (what `explore` writes)."""
    walk = _Walk(root)
    model = walk.steps()
    return _page(model, _svg(walk, model["grad_widths"]))


class _Walk:
    """The forward and backward steps of the page, as data for its script."""

    def __init__(self, root: Tensor) -> None:
        if not isinstance(root, Tensor):
            raise TypeError(f"explore: root must be a Tensor, received {type(root).__name__}")
        if root._ctx is None:
            what = "a leaf tensor" if root.requires_grad else "a tensor that requires no grad"
            raise ValueError(
                f"explore: root has no graph: it is {what} (shape {root.shape}), not the result "
                "of operations on tensors with requires_grad=True; explore the result of a "
                "computation, e.g. ta.explore((x * w + b).tanh())"
            )
        self.root = root
        self.tensors = graph_tensors(root)
        self.names = tensor_names(self.tensors)
        self.ids = {id(t): f"t{i}" for i, t in enumerate(self.tensors)}
        self.order = topological_order([root])
        self.recorded = root.grad is not None
        self.freed = any(t._ctx is not None and t._ctx._saved is None for t in self.order)
        if not self.recorded:
            if self.freed:
                raise RuntimeError(
                    "explore: an earlier backward() freed this graph's saved values and root "
                    "has no .grad any more; explore before backward(), or keep the grads"
                )
            if root.size != 1:
                raise ValueError(
                    f"explore: root has shape {root.shape}; before backward() only a scalar "
                    "result can be explored (its gradient is 1). Call root.backward(grad) "
                    "first: the page then shows the recorded gradients"
                )

    def name(self, tensor: Tensor) -> str:
        return self.names[id(tensor)]

    def node(self, tensor: Tensor) -> str:
        return "n_" + self.ids[id(tensor)]

    def op_node(self, tensor: Tensor) -> str:
        return "n_op" + self.ids[id(tensor)][1:]

    def equation(self, tensor: Tensor) -> str:
        ctx = tensor._ctx
        arguments = [self.name(p) for p in ctx.parents]
        arguments += [f"{key}={_short(value)}" for key, value in ctx.params.items()]
        return f"{self.name(tensor)} = {ctx.op_name()}({', '.join(arguments)})"

    def steps(self) -> dict:
        steps = [self.start_step()]
        for tensor in self.tensors:  # inputs before results: the order of the forward pass
            if tensor._ctx is not None:
                steps.append(self.forward_step(tensor))
        steps += self.backward_steps()
        widths: dict[str, int] = {}
        for step in steps:
            for node, text in {**step.get("grads", {}), **step.get("flash", {})}.items():
                widths[node] = max(widths.get(node, 0), len(text))
        return {
            "steps": steps,
            "grad_widths": widths,
            "root": self.node(self.root),
            "mode": "recorded" if self.recorded else "own",
            "clusters": _clusters(self),
            "tensors": {
                self.node(t): {"name": self.name(t), "kind": tensor_kind(t),
                               "grad": t.requires_grad}
                for t in self.tensors
            },
        }

    def start_step(self) -> dict:
        leaves = [self.node(t) for t in self.tensors if t._ctx is None]
        return {
            "phase": "start",
            "title": "The inputs",
            "text": [
                "The leaves of the graph: parameters (blue, bold) and constants (grey, dashed). "
                "Next runs the forward pass one operation at a time, then the backward pass.",
                "Keys: \u2192 next, \u2190 previous, Home first step, End last step.",
            ],
            "show": leaves,
        }

    def forward_step(self, tensor: Tensor) -> dict:
        return {
            "phase": "forward",
            "title": f"Forward: {self.equation(tensor)}",
            "op": self.op_node(tensor),
            "out": self.node(tensor),
            "text": [f"{self.name(tensor)} = {format_values(tensor.data)}"],
            "show": [self.node(tensor)],
        }

    def backward_steps(self) -> list[dict]:
        root, recorded = self.root, self.recorded
        seed = root.grad if recorded else None
        if seed is None:
            one = np.array(1, dtype=root.data.dtype).reshape(root.shape)
            seed = Tensor(one)
        d_root = f"d{self.name(root)}/d{_wrapped(self.name(root))}"
        steps = [{
            "phase": "backward",
            "title": f"Backward: start at {self.name(root)}",
            "out": self.node(root),
            "text": [
                f"{d_root} = {format_values(seed.data)}: "
                + ("the gradient backward() started from (recorded)." if recorded else
                   "a result's gradient with respect to itself is 1."),
                "The recorded .grad of every tensor is shown as its step is reached."
                if recorded else
                "The page runs its own backward pass: no .grad is touched.",
            ],
            "grads": {self.node(root): format_values(seed.data)},
        }]
        # How many gradients reach each tensor (one per use), to know when one is complete.
        self.uses: dict[int, int] = {}
        for tensor in self.order:
            if tensor._ctx is not None and (not recorded or tensor.grad is not None):
                for parent in tensor._ctx.parents:
                    if parent.requires_grad:
                        self.uses[id(parent)] = self.uses.get(id(parent), 0) + 1
        self.totals: dict[int, Tensor] = {id(root): seed}  # the sums so far
        self.parts: dict[int, list[Tensor | None]] = {}  # None: a part backward() freed
        with no_grad():  # the rules' Tensor operations must record nothing
            for tensor in reversed(self.order):
                upstream = tensor.grad if recorded else self.totals.get(id(tensor))
                if tensor._ctx is not None and upstream is not None:
                    steps.append(self.backward_step(tensor, len(steps), upstream))
        return steps

    def backward_step(self, tensor: Tensor, number: int, upstream: Tensor) -> dict:
        """One operation of the backward pass: what arrives, the rule, what each input gets."""
        ctx = tensor._ctx
        sent = ctx._run_backward(upstream) if ctx._saved is not None else None
        derivative = getattr(type(ctx), "derivative", None)
        step = {
            "phase": "backward",
            "title": f"Backward step {number}: {self.equation(tensor)}",
            "op": self.op_node(tensor),
            "out": self.node(tensor),
            "text": [
                f"Gradient arriving at {self.name(tensor)}: "
                f"{self.d(tensor)} = {format_values(upstream.data)}"
            ],
            "rule": f"{ctx.op_name()}: {derivative}" if derivative else ctx.op_name(),
            "numbers": [], "sends": [], "receivers": [], "grads": {}, "flash": {},
        }
        for position, parent in enumerate(ctx.parents):
            who = self.name(parent)
            if len(ctx.parents) > 1:
                who = f"{argument_name(position)} = {who}"
            if not parent.requires_grad:
                step["sends"].append(f"nothing to {who}: a constant needs no gradient")
                continue
            if sent is not None:
                grad = sent[position]
                if grad is None:
                    step["sends"].append(f"nothing to {who}")
                    continue
            elif self.uses[id(parent)] == 1:
                grad = parent.grad  # its only part is its total
            else:
                grad = None  # freed by backward(): only the total is known
            argument = argument_name(position) if len(ctx.parents) > 1 else "in"
            step["numbers"].append(self.numbers(tensor, position, argument, upstream, grad))
            self.receive(step, parent, who, grad)
        return step

    def receive(self, step: dict, parent: Tensor, who: str, grad: Tensor | None) -> None:
        """`parent` gets `grad` (None: not known): write its new total, and the sum when it
        has several parts."""
        parts = self.parts.setdefault(id(parent), [])
        parts.append(grad)
        uses = self.uses[id(parent)]
        if self.recorded and len(parts) == uses:
            total = parent.grad  # complete: what backward() recorded
        elif grad is None:
            total = None
        else:
            previous = self.totals.get(id(parent))
            total = grad if previous is None else previous + grad
        if total is not None:
            self.totals[id(parent)] = total
        node = self.node(parent)
        step["receivers"].append(node)
        part = "(not kept)" if grad is None else format_values(grad.data)
        line = f"to {who}: {self.d(parent)} {'+' if len(parts) > 1 else ''}= {part}"
        if len(parts) > 1:
            summed = " + ".join("(not kept)" if g is None else _term(g) for g in parts)
            total_text = "(known at its last use)" if total is None else format_values(total.data)
            line += (
                f"; {self.name(parent)} is used {len(parts)} times so far: its parts are "
                f"summed, {summed} = {total_text}"
            )
            if total is not None:
                step["flash"][node] = (
                    f"{summed} = {total_text}" if total.size == 1
                    else f"sum of {len(parts)} parts: {total_text}"
                )
        elif uses > 1:
            line += f" (the first of {uses} parts: {self.name(parent)} is used {uses} times)"
        step["sends"].append(line)
        if total is not None:
            step["grads"][node] = format_values(total.data)

    def d(self, tensor: Tensor) -> str:
        return f"d{self.name(self.root)}/d{_wrapped(self.name(tensor))}"

    def numbers(
        self, tensor: Tensor, position: int, argument: str, upstream: Tensor, grad: Tensor | None
    ) -> str:
        """`tanh: grad_in = grad_out * (1 - out^2) = 1 * (1 - 0.7071^2) = 0.5`, for single
        numbers; a summary of the gradient sent otherwise."""
        ctx = tensor._ctx
        derivative = getattr(type(ctx), "derivative", None)
        lead = f"{ctx.op_name()}: grad_{argument}"
        if grad is None:
            return f"{lead}: not kept (backward() freed the saved values); see the total"
        scalar = upstream.size == 1 and grad.size == 1
        if not scalar:
            return f"{lead} = {format_values(grad.data)}   (shape {grad.shape})"
        up, value = upstream.item(), grad.item()
        expression = _rule_for(derivative, position, len(ctx.parents))
        if expression is not None:
            values = _values(ctx, tensor)
            substituted = _substitute(expression, values)
            if substituted is not None:
                return (
                    f"{lead} = grad_out * ({expression}) = {_factor(up)} * ({substituted}) "
                    f"= {format_number(value)}"
                )
        if up != 0 and math.isfinite(up):
            return (
                f"{lead} = grad_out * local = {_factor(up)} * {_factor(value / up)} "
                f"= {format_number(value)}"
            )
        return f"{lead} = {format_number(value)}"


def _rule_for(derivative: str | None, position: int, n_inputs: int) -> str | None:
    """The right-hand side of `d/dX = ...` for input `position` in a derivative text like
    `d/da = b, d/db = a` (one input: its only `d/dX`)."""
    if not derivative:
        return None
    rules = re.findall(r"d/d(\w+)\s*=\s*(.+?)(?=[,;]\s*d/d\w+\s*=|$)", derivative)
    if n_inputs == 1 and len(rules) == 1:
        return rules[0][1].strip()
    wanted = argument_name(position)
    for variable, expression in rules:
        if variable == wanted:
            return expression.strip()
    return None


def _values(ctx: Function, tensor: Tensor) -> dict[str, float]:
    """The numbers a derivative text may name: `out`, the inputs (`x` for the only one,
    else `a`, `b`, ...) and the operation's numeric parameters; single numbers only."""
    values: dict[str, float] = {}
    if tensor.size == 1:
        values["out"] = tensor.data.item()
    for position, parent in enumerate(ctx.parents):
        if parent.size == 1:
            names = [argument_name(position)] + (["x"] if len(ctx.parents) == 1 else [])
            for name in names:
                values[name] = parent.data.item()
    for key, value in ctx.params.items():
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            values[key] = value
    return values


def _substitute(expression: str, values: dict[str, float]) -> str | None:
    """`expression` with each known name replaced by its number; None if it names an input
    or the output that is not a single number."""
    unknown = False

    def replace(match: re.Match) -> str:
        nonlocal unknown
        word = match.group(0)
        if word in values:
            return _factor(values[word])
        if word in ("out", "x", "a", "b", "c"):
            unknown = True
        return word

    text = re.sub(r"\b[A-Za-z_]\w*\b", replace, expression)
    return None if unknown else text


def _term(grad: Tensor) -> str:
    """One part of a sum: `0.5`, `(-0.25)`, `(mean 0.1 std ...)`."""
    return _factor(grad.item()) if grad.size == 1 else f"({format_values(grad.data)})"


# ---- the drawing ------------------------------------------------------------------------
def _svg(walk: _Walk, grad_widths: dict[str, int]) -> str:
    """The graph as inline SVG, with ids the page's script addresses: `n_t3` (a tensor),
    `n_op3` (the operation that computed it), `c_<layer>` (a layer's cluster). It is drawn
    as `draw_graph` draws it, with room in each box for the longest gradient it will show."""
    import graphviz

    root, tensors, names, ids = walk.root, walk.tensors, walk.names, walk.ids
    clusters = _cluster_of(tensors)
    dot = graphviz.Digraph(
        name="computation graph",
        graph_attr={"rankdir": "LR", "fontname": "Helvetica", "fontsize": "12"},
        node_attr={"fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7"},
    )
    bodies: dict[str | None, list[tuple[str, str, dict]]] = {}
    edges = []
    for t in tensors:
        node_id, kind = ids[id(t)], tensor_kind(t)
        rows = [
            "{" + _escape_record(names[id(t)]) + "|"
            + _escape_record(("scalar" if t.ndim == 0 else str(t.shape)) + f" {t.dtype}") + "}",
            _escape_record("data " + format_values(t.data)),
        ]
        if t.requires_grad:  # room for the longest text the grad row will show
            width = grad_widths.get("n_" + node_id, 4)
            rows.append(_escape_record("grad " + "0" * max(width, 4)))
        attrs = {**_STYLES[kind], "class": f"tensor {kind}", "id": "n_" + node_id}
        if t is root:
            attrs["penwidth"] = "2"
        bodies.setdefault(clusters.get(id(t)), []).append((node_id, "|".join(rows), attrs))
        ctx = t._ctx
        if ctx is None:
            continue
        op_id = f"op{node_id[1:]}"
        op_attrs = {**_STYLES["operation"], "class": "operation", "id": "n_" + op_id}
        bodies.setdefault(ctx.scope, []).append((op_id, _plain(ctx.label()), op_attrs))
        for position, parent in enumerate(ctx.parents):
            attrs = {"id": f"e_{ids[id(parent)]}_{op_id}_{position}"}
            if len(ctx.parents) > 1:
                attrs["headlabel"] = argument_name(position)
            if not parent.requires_grad:
                attrs["weight"] = "3"
            edges.append((ids[id(parent)], op_id, attrs))
        edges.append((op_id, node_id, {"id": f"e_{op_id}_{node_id}"}))
    for scope, nodes in bodies.items():
        graph = dot
        if scope is not None:
            with dot.subgraph(name=f"cluster_{scope}") as cluster:
                cluster.attr(label=_plain(scope), id=_cluster_id(scope), **_CLUSTER_STYLE)
                for node_id, label, attrs in nodes:
                    cluster.node(node_id, label, **attrs)
            continue
        for node_id, label, attrs in nodes:
            graph.node(node_id, label, **attrs)
    for tail, head, attrs in edges:
        dot.edge(tail, head, **attrs)
    svg = render_source(dot.source, "svg").decode("utf-8")
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.DOTALL)


def _cluster_id(scope: str) -> str:
    return "c_" + re.sub(r"[^A-Za-z0-9_]", "_", scope)


def _clusters(walk: _Walk) -> dict[str, dict]:
    """Each layer's cluster: its name and the nodes drawn inside it."""
    tensors, ids = walk.tensors, walk.ids
    clusters = _cluster_of(tensors)
    found: dict[str, dict] = {}

    def add(scope: str, node: str) -> None:
        found.setdefault(_cluster_id(scope), {"name": scope, "nodes": []})["nodes"].append(node)

    for t in tensors:
        if id(t) in clusters:
            add(clusters[id(t)], "n_" + ids[id(t)])
        if t._ctx is not None and t._ctx.scope is not None:
            add(t._ctx.scope, "n_op" + ids[id(t)][1:])
    return found


# ---- the page ---------------------------------------------------------------------------
def _asset(name: str) -> str:
    return resources.files("tinygrad_acts").joinpath("assets", name).read_text("utf-8")


def _page(model: dict, svg: str) -> str:
    data = json.dumps(model, separators=(",", ":")).replace("</", "<\\/")
    title = html.escape(model["tensors"][model["root"]]["name"])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Backward pass of {title} - tinygrad_acts</title>
<style>
{_asset("explore.css")}
</style>
</head>
<body>
<header>
  <div class="controls">
    <button id="reset" title="back to the first step (Home)">Reset</button>
    <button id="prev" title="previous step (\u2190)">Previous</button>
    <button id="next" title="next step (\u2192)">Next</button>
    <button id="play" title="step on by itself">Play</button>
    <input id="slider" type="range" min="0" value="0" aria-label="step">
    <span id="counter"></span>
    <span class="zoom"><button id="zoom-out" title="smaller">\u2212</button>\
<button id="zoom-in" title="larger">+</button></span>
  </div>
  <div id="layers" class="layers"></div>
</header>
<main>
  <section id="graph" class="graph">{svg}</section>
  <aside id="panel" class="panel">
    <h2 id="title"></h2>
    <div id="text"></div>
    <div id="rule" class="rule"></div>
    <div id="numbers" class="numbers"></div>
    <ul id="sends" class="sends"></ul>
  </aside>
</main>
<script type="application/json" id="model">{data}</script>
<script>
{_asset("explore.js")}
</script>
</body>
</html>
"""


# ---- screenshots (for the README) -------------------------------------------------------
def find_chromium() -> str | None:
    """A Chromium to drive with Playwright: $TINYGRAD_ACTS_CHROMIUM, else the system's
    (Debian's `chromium` package installs /usr/bin/chromium)."""
    given = os.environ.get("TINYGRAD_ACTS_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(page: str | os.PathLike, image: str | os.PathLike, step: int | None = None,
               width: int = 1280, height: int = 560) -> Path:
    """Open the explorer page `page` in headless Chromium, go to `step` (default: the
    last), and save a PNG of the window to `image`. Needs Playwright for Python and a
    system Chromium (`find_chromium`); no browser is downloaded."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ImportError(
            "screenshot needs Playwright for Python: pip install playwright (its browser "
            "download is not needed: the system's Chromium is used)"
        ) from None
    executable = find_chromium()
    if executable is None:
        raise RuntimeError(
            "screenshot needs Chromium: install the system's package (apt-get install "
            "chromium) or set TINYGRAD_ACTS_CHROMIUM to a Chromium executable"
        )
    image = Path(image)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            tab = browser.new_page(viewport={"width": width, "height": height})
            tab.goto(Path(page).resolve().as_uri())
            tab.wait_for_function("() => window.explorer && window.explorer.ready")
            tab.evaluate(f"window.explorer.go({-1 if step is None else int(step)})")
            png = tab.screenshot()
        finally:
            browser.close()
    with atomic_write(image) as file:
        file.write(png)
    return image
