"""`python -m tinygrad_acts`: the same as the `tinygrad-acts` command."""

import sys

from .cli import main

sys.exit(main())
