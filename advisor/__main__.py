"""`python -m advisor`: the command-line interface."""

import sys

from advisor.cli import main

sys.exit(main())
