"""Check every activation's first and second derivatives against finite differences, and
check a function of your own the same way.

    python examples/gradcheck_activations.py [--output-dir DIR]

Prints a table (and saves it as DIR/gradcheck.txt; default DIR:
./tinygrad_acts_output/gradcheck_activations). Exits with status 1 if any check fails.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

import tinygrad_acts as ta
from tinygrad_acts import checks
from tinygrad_acts.activations import selu, softplus

parser = argparse.ArgumentParser(description="gradcheck every activation.")
parser.add_argument("--output-dir", type=Path,
                    default=Path("tinygrad_acts_output") / "gradcheck_activations")
output_dir = parser.parse_args().output_dir

# 1. The library's 32 activations, each in the parameter forms that change its derivative,
#    on float64 inputs kept away from their kinks (finite differences cannot cross a kink).
results = checks.check_all()
table = checks.format_table(results)
print(table)
output_dir.mkdir(parents=True, exist_ok=True)
(output_dir / "gradcheck.txt").write_text(table + "\n", encoding="utf-8")
print("wrote", output_dir / "gradcheck.txt")


# 2. Your own function: any composition of Tensor operations and activations.
def my_function(x: ta.Tensor, w: ta.Tensor) -> ta.Tensor:
    return softplus(x @ w).sum(axis=1) * selu(x).mean()


rng = np.random.default_rng(0)
x = ta.Tensor(rng.normal(size=(4, 3)), requires_grad=True)  # float64: numpy's default
w = ta.Tensor(rng.normal(size=(3, 2)), requires_grad=True)
first = ta.gradcheck(my_function, [x, w])                    # raises GradcheckError on failure
second = ta.gradgradcheck(my_function, [x, w])               # the backward pass differentiated
print(f"my_function: gradcheck {'ok' if first else 'FAIL'}, "
      f"gradgradcheck {'ok' if second else 'FAIL'}")

sys.exit(0 if all(r.ok for r in results) else 1)
