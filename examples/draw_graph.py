"""Draw a computation graph, with every value and every gradient in it.

    python examples/draw_graph.py [--output-dir DIR]

Writes DIR/neuron.svg and DIR/model.svg (default DIR: ./tinygrad_acts_output/draw_graph).
Rendering uses Graphviz's `dot` when installed, else the `graphviz-pure` program that pip
installs with tinygrad_acts; without either, the DOT source is written instead (.dot).
"""

import argparse
from pathlib import Path

import numpy as np

import tinygrad_acts as ta
from tinygrad_acts.activations import relu, tanh
from tinygrad_acts.graph import RendererNotFoundError
from tinygrad_acts.layers import Dense
from tinygrad_acts.losses import mean_squared_error

parser = argparse.ArgumentParser(description="Draw computation graphs.")
parser.add_argument("--output-dir", type=Path, default=Path("tinygrad_acts_output") / "draw_graph")
output_dir = parser.parse_args().output_dir
output_dir.mkdir(parents=True, exist_ok=True)


def render(root: ta.Tensor, name: str) -> None:
    """Write the graph of `root` as SVG, or as DOT text when no renderer is installed."""
    try:
        path = ta.render_graph(root, output_dir / f"{name}.svg")
    except RendererNotFoundError:
        path = ta.render_graph(root, output_dir / f"{name}.dot")
    print("wrote", path)


# 1. One neuron, o = tanh(x1*w1 + x2*w2 + b). Names make the drawing (and the trace) readable.
x1 = ta.Tensor(2.0, name="x1")
x2 = ta.Tensor(0.0, name="x2")
w1 = ta.Tensor(-3.0, requires_grad=True, name="w1")
w2 = ta.Tensor(1.0, requires_grad=True, name="w2")
b = ta.Tensor(6.8813735870195432, requires_grad=True, name="b")
o = tanh(x1 * w1 + x2 * w2 + b)
o.name = "o"

print(ta.trace_backward(o))  # the chain rule, step by step (changes no .grad)
o.backward()                 # now every box in the drawing shows its grad too
render(o, "neuron")

# 2. A two-layer model and its loss: the operations of each layer are grouped in a box
#    named after the layer (hidden, output), the weights drawn in blue.
ta.set_seed(0)
hidden = Dense(3, activation=lambda t: relu(t, negative_slope=0.1), name="hidden")
output = Dense(1, name="output")
x = ta.Tensor(np.array([[0.5, -1.0], [1.5, 2.0]], dtype=np.float32), name="x")
loss = mean_squared_error(np.array([[1.0], [0.0]], dtype=np.float32), output(hidden(x))).mean()
loss.name = "loss"
loss.backward()
render(loss, "model")
