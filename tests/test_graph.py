"""Tests of tinygrad_acts.graph: the DOT source of the drawing, and rendering it to SVG and PNG
with graphviz-pure alone (no `dot` on PATH), with the system's dot when there is one, and in
Jupyter."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import graph
from tinygrad_acts.engine import Function
from tinygrad_acts.layers.base import Layer, clear_session

SVG = "{http://www.w3.org/2000/svg}"


# ---- reading the DOT source back --------------------------------------------------------
def _attributes(text):
    """`a=b c="d e"` -> {'a': 'b', 'c': 'd e'} (DOT quoting undone)."""
    pairs = re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)', text)
    return {k: re.sub(r'\\(")', r"\1", v[1:-1]) if v.startswith('"') else v for k, v in pairs}


def parse_dot(source):
    """Nodes {id: attributes (with 'cluster': the cluster's label or None)}, edges
    [(tail, head, attributes)], clusters {name: label}."""
    nodes, edges, clusters, stack = {}, [], {}, []
    for line in source.splitlines():
        line = line.strip()
        if m := re.match(r"subgraph (\w+) \{$", line):
            stack.append(m.group(1))
            clusters[m.group(1)] = None
        elif line == "}":
            if stack:
                stack.pop()
        elif m := re.match(r"(\w+) -> (\w+)(?: \[(.*)\])?$", line):
            edges.append((m.group(1), m.group(2), _attributes(m.group(3) or "")))
        elif m := re.match(r"(\w+) \[(.*)\]$", line):
            if m.group(1) not in ("graph", "node", "edge"):
                attrs = _attributes(m.group(2))
                attrs["cluster"] = clusters[stack[-1]] if stack else None
                nodes[m.group(1)] = attrs
        elif stack and "label=" in line:  # the cluster's own attributes
            clusters[stack[-1]] = _attributes(line)["label"]
    return nodes, edges, clusters


def record_fields(label):
    """The texts of a record label's fields, escapes undone: '{x|(2,) float32}|data [1, 2]'
    -> ['x', '(2,) float32', 'data [1, 2]']."""
    fields, current, chars = [], "", iter(label)
    for c in chars:
        if c == "\\":
            current += next(chars)
        elif c in "{}|":
            fields.append(current)
            current = ""
        else:
            current += c
    fields.append(current)
    return [f for f in fields if f]


def tensor_node(nodes, name):
    """The one node whose record starts with `name`."""
    found = [n for n, a in nodes.items() if a.get("shape") == "record"
             and record_fields(a["label"])[0] == name]
    assert len(found) == 1, (name, found)
    return found[0]


def op_node(nodes, label):
    found = [n for n, a in nodes.items() if a.get("shape") == "ellipse" and a["label"] == label]
    assert len(found) == 1, (label, found)
    return found[0]


class LeakyReLU(Function):
    """max(a, 0) + negative_slope * min(a, 0);  d/da = 1 if a > 0 else negative_slope."""

    name = "relu"

    def forward(ctx, a, negative_slope):
        ctx.save_for_backward(a)
        return np.where(a > 0, a, negative_slope * a)

    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        slope = np.where(a.data > 0, 1.0, ctx.params["negative_slope"]).astype(a.dtype)
        return grad * slope


def small_expression():
    x = ta.Tensor([1.0, -2.0, 3.0], name="x")
    w = ta.Tensor([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]], requires_grad=True, name="w")
    h = LeakyReLU.apply(x @ w, negative_slope=0.1)
    y = h.clip(min_value=-1.0, max_value=1.0).sum()
    y.name = "y"
    return x, w, h, y


# ---- the DOT source ---------------------------------------------------------------------
def test_returns_a_digraph_with_a_node_per_tensor_and_per_operation():
    import graphviz

    x, w, h, y = small_expression()
    drawing = ta.draw_graph(y)
    assert isinstance(drawing, graphviz.Digraph)
    nodes, edges, _ = parse_dot(drawing.source)
    records = [n for n, a in nodes.items() if a["shape"] == "record"]
    ops = sorted(a["label"] for a in nodes.values() if a["shape"] == "ellipse")
    # x, w, x @ w, relu, clip, sum: 6 tensors, 4 operations.
    assert len(records) == 6
    assert ops == [
        "clip(min_value=-1, max_value=1)", "matmul", "relu(negative_slope=0.1)",
        "sum(axis=None, keepdims=False)",
    ]
    # The matmul sits between x (as a) and w (as b) and its output, which feeds the relu.
    matmul, relu = op_node(nodes, "matmul"), op_node(nodes, "relu(negative_slope=0.1)")
    into_matmul = {(t, a.get("headlabel")) for t, hd, a in edges if hd == matmul}
    assert into_matmul == {(tensor_node(nodes, "x"), "a"), (tensor_node(nodes, "w"), "b")}
    (product,) = [hd for t, hd, _ in edges if t == matmul]
    assert [hd for t, hd, _ in edges if t == product] == [relu]
    assert len(edges) == 2 + 1 + 3 * 2  # matmul: 2 in, 1 out; the others: 1 in, 1 out


def test_tensor_records_show_name_shape_dtype_and_data():
    x, w, h, y = small_expression()
    nodes, _, _ = parse_dot(ta.draw_graph(y).source)
    assert record_fields(nodes[tensor_node(nodes, "x")]["label"]) == [
        "x", "(3,) float32", "data [1, -2, 3]",
    ]
    w_fields = record_fields(nodes[tensor_node(nodes, "w")]["label"])
    assert w_fields == [
        "w", "(3, 2) float32", "data [[0.5, -1], [2, 0.25], [-0.75, 1.5]]", "grad None",
    ]
    # An unnamed tensor gets a short automatic name; a scalar says so.
    (relu_out,) = [a for a in nodes.values()
                   if a["shape"] == "record" and "data [-0.575, 3]" in record_fields(a["label"])]
    name, meta = record_fields(relu_out["label"])[:2]
    assert re.fullmatch(r"t\d+", name) and meta == "(2,) float32"
    assert record_fields(nodes[tensor_node(nodes, "y")]["label"])[1] == "scalar float32"


def test_grad_is_shown_after_backward_even_though_saved_values_were_freed():
    x, w, h, y = small_expression()
    y.backward()  # frees the saved values: the drawing needs none of them
    with pytest.raises(RuntimeError, match="already freed"):
        _ = h._ctx.saved_tensors
    nodes, _, _ = parse_dot(ta.draw_graph(y).source)
    w_fields = record_fields(nodes[tensor_node(nodes, "w")]["label"])
    expected = "[" + ", ".join(
        "[" + ", ".join(graph.format_number(v) for v in row) + "]" for row in w.grad.data
    ) + "]"
    assert w_fields[-1] == "grad " + expected
    assert expected == "[[0.1, 0], [-0.2, 0], [0.3, 0]]"
    assert record_fields(nodes[tensor_node(nodes, "y")]["label"])[-1] == "grad 1"
    # A constant has no grad row at all.
    assert not any(f.startswith("grad") for f in record_fields(
        nodes[tensor_node(nodes, "x")]["label"]))


def test_values_up_to_eight_then_a_summary_with_four_significant_digits():
    assert graph.format_values(np.arange(8.0).reshape(2, 4)) == "[[0, 1, 2, 3], [4, 5, 6, 7]]"
    values = np.array([3.14159265, -1234567.0, 1e-7, 2.0, 0, 1, 2, 3, 4], dtype=np.float64)
    m, s = values.mean(), values.std()
    assert graph.format_values(values) == (
        f"mean {m:.4g} std {s:.4g} min -1.235e+06 max 4"
    )
    assert graph.format_values(np.array(3.14159265)) == "3.142"
    assert graph.format_values(np.array([True, False])) == "[True, False]"
    assert graph.format_values(np.array([7, -3], dtype=np.int64)) == "[7, -3]"
    assert graph.format_values(np.zeros((0, 3))) == "[]"
    with np.errstate(all="raise"):  # inf and float16 extremes summarise without warnings
        big = np.array([np.inf, 6e4, -6e4] * 3, dtype=np.float16)
        assert graph.format_values(big).startswith("mean inf std nan min -6e+04 max inf")


def test_large_tensors_are_summarised_in_the_drawing():
    rng = np.random.default_rng(0)
    a = ta.Tensor(rng.normal(size=(4, 5)), requires_grad=True, name="a")
    y = (a * 2.0).sum()
    y.backward()
    nodes, _, _ = parse_dot(ta.draw_graph(y).source)
    fields = record_fields(nodes[tensor_node(nodes, "a")]["label"])
    d = a.data
    assert fields[2] == (
        f"data mean {d.mean():.4g} std {d.std():.4g} min {d.min():.4g} max {d.max():.4g}"
    )
    assert fields[3] == "grad mean 2 std 0 min 2 max 2"


def test_parameters_constants_and_intermediates_are_drawn_differently():
    x, w, h, y = small_expression()
    nodes, _, _ = parse_dot(ta.draw_graph(y).source)
    looks = {}
    for name, kind in (("x", "constant"), ("w", "parameter"), ("y", "intermediate")):
        attrs = nodes[tensor_node(nodes, name)]
        assert attrs["class"] == kind
        looks[kind] = (attrs["fillcolor"], attrs["style"])
    assert len(set(looks.values())) == 3
    ops = [a for a in nodes.values() if a["shape"] == "ellipse"]
    assert all(a["class"] == "operation" for a in ops)
    assert {(a["fillcolor"], a["style"]) for a in ops}.isdisjoint(looks.values())


def test_a_tensor_used_twice_is_one_node_with_two_edges():
    x = ta.Tensor([2.0], requires_grad=True, name="x")
    y = x * x + x
    nodes, edges, _ = parse_dot(ta.draw_graph(y).source)
    assert len([a for a in nodes.values() if a["shape"] == "record"]) == 3
    x_id = tensor_node(nodes, "x")
    mul, add = op_node(nodes, "mul"), op_node(nodes, "add")
    assert sorted(a["headlabel"] for t, hd, a in edges if (t, hd) == (x_id, mul)) == ["a", "b"]
    assert [a["headlabel"] for t, hd, a in edges if (t, hd) == (x_id, add)] == ["b"]


def test_special_characters_in_names_are_escaped():
    name = 'a|b{c}<d> \\e"f\nnext'
    x = ta.Tensor([1.0], requires_grad=True, name=name)
    drawing = ta.draw_graph(x * 2.0)
    nodes, _, _ = parse_dot(drawing.source)
    assert tensor_node(nodes, name.replace("\n", " "))
    if graph.find_renderer() is not None:  # Graphviz reads it back as the same text
        svg = ET.fromstring(graph.render_source(drawing.source, "svg"))
        assert name.replace("\n", " ") in [t.text for t in svg.iter(f"{SVG}text")]


class Dense(Layer):
    """x @ kernel + bias, then relu(negative_slope=0.1): a layer to draw."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight((input_shape[-1], self.units), "zeros", "kernel")
        self.bias = self.add_weight((self.units,), "zeros", "bias")

    def call(self, inputs):
        return LeakyReLU.apply(inputs @ self.kernel + self.bias, negative_slope=0.1) * 0.5


def test_operations_of_a_layer_are_grouped_in_a_cluster_named_after_it():
    clear_session()
    rng = np.random.default_rng(1)
    first, second = Dense(3), Dense(2)
    x = ta.Tensor(rng.normal(size=(4, 2)), dtype="float32", name="x")
    h = first(x)
    out = second(h)
    first.set_weights([rng.normal(size=(2, 3)), rng.normal(size=3)])
    loss = (out * out).mean()
    nodes, _, clusters = parse_dot(ta.draw_graph(loss).source)
    assert sorted(clusters.values()) == ["dense", "dense_1"]
    in_cluster = {}
    for attrs in nodes.values():
        in_cluster.setdefault(attrs["cluster"], []).append(attrs["label"])
    for layer in ("dense", "dense_1"):
        labels = in_cluster[layer]
        ops = sorted(lab for lab in labels if "|" not in lab)
        assert ops == ["add", "matmul", "mul", "relu(negative_slope=0.1)"]
        # Its weights and the constant 0.5 are drawn inside it too.
        names = {record_fields(lab)[0] for lab in labels if "|" in lab}
        assert {f"{layer}/kernel", f"{layer}/bias"} <= names
    outside = in_cluster[None]
    assert sorted(lab for lab in outside if "|" not in lab) == [
        "mean(axis=None, keepdims=False)", "mul",
    ]
    assert "x" in {record_fields(lab)[0] for lab in outside if "|" in lab}


def test_options_and_bad_arguments():
    x, w, h, y = small_expression()
    y.backward()
    bare = parse_dot(ta.draw_graph(y, show_data=False, show_grad=False).source)[0]
    assert all(len(record_fields(a["label"])) == 2 for a in bare.values() if a["shape"] == "record")
    no_grad = parse_dot(ta.draw_graph(y, show_grad=False).source)[0]
    assert not any("grad" in a["label"] for a in no_grad.values())
    top_down = ta.draw_graph(y, rankdir="TB")
    assert "rankdir=TB" in top_down.source
    # Top-down, the record is wrapped in braces so that its rows still stack.
    w_label = parse_dot(top_down.source)[0][tensor_node(parse_dot(top_down.source)[0], "w")]
    assert w_label["label"].startswith("{{w|")
    with pytest.raises(TypeError, match="root must be a Tensor, received ndarray"):
        ta.draw_graph(np.ones(3))
    with pytest.raises(ValueError, match="rankdir must be one of .* received 'XY'"):
        ta.draw_graph(y, rankdir="XY")
    with pytest.raises(TypeError, match="show_grad must be a bool, received 1"):
        ta.draw_graph(y, show_grad=1)


def test_a_tensor_without_a_graph_is_one_node():
    nodes, edges, _ = parse_dot(ta.draw_graph(ta.Tensor([1.0, 2.0], name="c")).source)
    assert len(nodes) == 1 and edges == []
    with ta.no_grad():
        y = ta.Tensor([1.0], requires_grad=True) * 3.0
    assert len(parse_dot(ta.draw_graph(y).source)[0]) == 1


def test_a_graph_of_2000_operations_is_drawn():
    x = ta.Tensor(np.linspace(-1, 1, 4), requires_grad=True, name="x")
    y = x
    for i in range(1999):
        y = y * 0.999 if i % 2 else y.abs()
    y = y.sum()
    y.backward()
    nodes, edges, _ = parse_dot(ta.draw_graph(y).source)
    assert sum(a["shape"] == "ellipse" for a in nodes.values()) == 2000
    assert len(edges) == 2000 * 2 + 999  # into and out of each op, and from 999 constants


def test_importing_the_package_does_not_import_graphviz():
    code = "import sys, tinygrad_acts; assert 'graphviz' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(__file__) + "/..")


# ---- rendering --------------------------------------------------------------------------
def _graphviz_pure_in_scripts():
    return shutil.which("graphviz-pure", path=sysconfig.get_path("scripts"))


@pytest.fixture
def pure_only(monkeypatch, tmp_path):
    """A machine with pip's graphviz-pure only: nothing on PATH (no dot, and not even
    graphviz-pure, which lives in the environment's scripts folder)."""
    if _graphviz_pure_in_scripts() is None:
        pytest.skip("graphviz-pure is not installed in this environment's scripts folder")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None
    assert os.path.basename(graph.find_renderer()).startswith("graphviz-pure")


@pytest.fixture
def no_renderer(monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sysconfig, "get_path", lambda *args, **kwargs: str(empty))
    assert graph.find_renderer() is None


def _svg_texts(path):
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return [t.text for t in root.iter(f"{SVG}text")]


def test_render_svg_and_png_with_graphviz_pure_only(pure_only, tmp_path):
    x, w, h, y = small_expression()
    y.backward()
    written = ta.render_graph(y, tmp_path / "graph.svg")
    assert written == tmp_path / "graph.svg"
    assert "graphviz-pure" in written.read_text()
    texts = _svg_texts(written)
    for text in ("x", "w", "y", "matmul", "relu(negative_slope=0.1)", "grad 1", "data [1, -2, 3]"):
        assert text in texts
    png = ta.render_graph(y, tmp_path / "graph.PNG").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 200 and height > 50
    # The format argument wins over a path without a suffix.
    assert ta.render_graph(y, tmp_path / "graph", format="svg").read_text().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "empty-bin", "graph", "graph.PNG", "graph.svg",
    ]  # no temporary file left behind


def test_a_huge_png_is_scaled_down_but_not_the_svg(pure_only, tmp_path):
    x = ta.Tensor([1.0, -1.0], requires_grad=True, name="x")
    y = x
    for _ in range(150):
        y = y.abs()
    svg = ta.render_graph(y, tmp_path / "long.svg").read_text()
    width_pt = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
    assert width_pt * 96 / 72 > 30_000  # the full drawing, in pixels at 96 dpi
    png = ta.render_graph(y, tmp_path / "long.png").read_bytes()
    assert 16_000 <= int.from_bytes(png[16:20], "big") <= 170 * 96


def test_jupyter_displays_svg_through_our_renderer(pure_only):
    import graphviz

    x, w, h, y = small_expression()
    drawing = ta.draw_graph(y)
    with pytest.raises(graphviz.ExecutableNotFound):  # graphviz's own display needs `dot`
        graphviz.Digraph.pipe(drawing, format="svg")
    bundle = drawing._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "relu(negative_slope=0.1)" in bundle["image/svg+xml"]
    assert drawing._repr_svg_() == bundle["image/svg+xml"]
    png = drawing._repr_mimebundle_(include=["image/png"])["image/png"]
    assert png[:4] == b"\x89PNG"
    assert isinstance(drawing, graph.Drawing)


def test_dot_on_path_is_preferred(pure_only, tmp_path):
    if os.name != "posix":
        pytest.skip("the stand-in `dot` is a shell script")
    log = tmp_path / "dot-was-run"
    fake_dot = tmp_path / "empty-bin" / "dot"
    fake_dot.write_text(f'#!/bin/sh\n: > "{log}"\nexec "{_graphviz_pure_in_scripts()}" "$@"\n')
    fake_dot.chmod(0o755)
    assert graph.find_renderer() == str(fake_dot)
    x, w, h, y = small_expression()
    ta.render_graph(y, tmp_path / "g.svg")
    assert log.exists()
    assert "matmul" in _svg_texts(tmp_path / "g.svg")


@pytest.mark.skipif(shutil.which("dot") is None, reason="no system Graphviz `dot` on PATH")
def test_render_with_the_system_dot(tmp_path):
    assert graph.find_renderer() == shutil.which("dot")
    x, w, h, y = small_expression()
    y.backward()
    texts = _svg_texts(ta.render_graph(y, tmp_path / "g.svg"))
    assert "relu(negative_slope=0.1)" in texts and "grad 1" in texts
    assert ta.render_graph(y, tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in ta.draw_graph(y)._repr_mimebundle_()["image/svg+xml"]


def test_dot_format_needs_no_renderer(no_renderer, tmp_path):
    x, w, h, y = small_expression()
    path = ta.render_graph(y, str(tmp_path / "graph.dot"))
    assert path.read_text() == ta.draw_graph(y).source
    assert ta.render_graph(y, tmp_path / "graph.gv", format="DOT").read_text().startswith("digraph")


def test_no_renderer_says_both_ways_to_get_one(no_renderer, tmp_path):
    x, w, h, y = small_expression()
    with pytest.raises(graph.RendererNotFoundError) as error:
        ta.render_graph(y, tmp_path / "graph.svg")
    message = str(error.value)
    assert "pip install graphviz-pure" in message and "`dot` is on PATH" in message
    assert not (tmp_path / "graph.svg").exists()


def test_unknown_format_is_named(tmp_path):
    x, w, h, y = small_expression()
    with pytest.raises(ValueError, match=r"unknown format 'pdf' \(from the suffix"):
        ta.render_graph(y, tmp_path / "graph.pdf")
    with pytest.raises(ValueError, match=r"unknown format 'jpeg' \(given as format="):
        ta.render_graph(y, tmp_path / "graph.svg", format="jpeg")
    with pytest.raises(ValueError, match="no suffix"):
        ta.render_graph(y, tmp_path / "graph")
    with pytest.raises(TypeError, match="path must be a str or a path, received 3"):
        ta.render_graph(y, 3)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ta.render_graph(y, tmp_path / "missing" / "graph.svg")
    with pytest.raises(ValueError, match="rankdir"):  # draw options are checked too
        ta.render_graph(y, tmp_path / "graph.dot", rankdir="up")
    assert list(tmp_path.iterdir()) == []


def test_writing_is_atomic(tmp_path, monkeypatch):
    x, w, h, y = small_expression()
    target = tmp_path / "graph.dot"
    target.write_text("what the user saved")

    def failing_render(source, format):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(graph, "render_source", failing_render)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        ta.render_graph(y, target, format="svg")
    assert target.read_text() == "what the user saved"

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        ta.render_graph(y, target)  # the temporary file was written, the rename failed
    assert target.read_text() == "what the user saved"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.dot"]
    monkeypatch.undo()
    ta.render_graph(y, target)
    assert target.read_text().startswith("digraph")
    assert [p.name for p in tmp_path.iterdir()] == ["graph.dot"]


# ---- a model, drawn ---------------------------------------------------------------------


def _two_layer_mlp():
    from tinygrad_acts.layers import Dense, clear_session

    clear_session()
    return ta.models.Sequential([Dense(16, activation="tanh", input_dim=2), Dense(1)])


def test_a_model_is_drawn_from_one_forward_pass_with_its_layers_collapsed():
    model = _two_layer_mlp()
    source = ta.draw_graph(model).source
    assert "rankdir=TB" in source  # narrow: one layer under the other
    assert source.count("class=layer") == 2
    assert "dense|matmul → add → tanh|kernel (2, 16), bias (16,)|output (1, 16) float32" in source
    assert "dense_1|matmul → add|kernel (16, 1), bias (1,)|output (1, 1) float32" in source
    assert "input|(1, 2) float32" in source
    assert "layer_dense -> layer_dense_1" in source and "cluster_" not in source
    # Every operation, on request, in the layers' boxes.
    full = ta.draw_graph(model, collapse_layers=False).source
    assert "cluster_dense" in full and "class=layer" not in full
    assert full.count("class=operation") == 5
    # A sample of one's own; and a tensor's graph can be collapsed too.
    sample = ta.Tensor([[0.5, -0.5], [1.0, 2.0]], name="x")
    assert "x|(2, 2) float32" in ta.draw_graph(model, sample=sample).source
    out = model(sample)
    assert "class=layer" in ta.draw_graph(out, collapse_layers=True).source
    assert "class=layer" not in ta.draw_graph(out).source


def test_a_model_drawing_fits_a_notebook():
    pytest.importorskip("graphviz")
    from tinygrad_acts.graph import find_renderer

    if find_renderer() is None:
        pytest.skip("no Graphviz renderer")
    svg = ta.draw_graph(_two_layer_mlp())._repr_image_svg_xml()
    width = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
    assert width < 600, width  # points; a notebook's column is about 700


def test_a_model_without_a_known_input_shape_needs_a_sample():
    from tinygrad_acts.layers import Dense

    model = ta.models.Sequential([Dense(3)])
    with pytest.raises(ValueError, match="input shape .* unknown.*sample="):
        ta.draw_graph(model)
    assert "class=layer" in ta.draw_graph(model, sample=np.ones((1, 4), np.float32)).source
    with pytest.raises(TypeError, match="root must be a Tensor, received str .or a model"):
        ta.draw_graph("model")
    with pytest.raises(ValueError, match="sample is for a model"):
        ta.draw_graph(ta.Tensor([1.0], requires_grad=True) * 2, sample=[1.0])
