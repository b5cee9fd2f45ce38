"""Draw every activation with its first and second derivatives, one picture each, plus an
overview of all of them.

    python examples/activation_gallery.py [--output-dir DIR]

Writes DIR/<name>.png for each of the 30 activations (swish and hard_swish are silu and
hard_silu) and DIR/overview.png (default DIR: ./tinygrad_acts_output/activation_gallery).
Needs matplotlib: pip install "tinygrad_acts[plot]".
"""

import argparse
from pathlib import Path

from tinygrad_acts import plots

parser = argparse.ArgumentParser(description="Plot every activation with f' and f''.")
parser.add_argument("--output-dir", type=Path,
                    default=Path("tinygrad_acts_output") / "activation_gallery")
output_dir = parser.parse_args().output_dir

# The derivatives are not written anywhere in the plotting code: the engine differentiates
# each activation's backward pass (ta.grad with create_graph=True) to get f' and f''.
paths = plots.activation_gallery(output_dir)
print(f"wrote {len(paths)} pictures to {output_dir}; the overview is {paths[-1].name}")

# One activation with parameters of your choosing, over a range of your choosing:
path = output_dir / "relu_alpha_0.1_max_value_3_threshold_1.png"
plots.plot_activation("relu", path, x_range=(-3, 5), alpha=0.1, max_value=3.0, threshold=1.0)
print("wrote", path)
