"""`python -m tinygrad_acts`: the same as the `tinygrad-acts` command."""

import sys

from .cli import main

if __name__ == "__main__":  # not when a worker process of `selu --sweep` imports it
    sys.exit(main())
