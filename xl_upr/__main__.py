"""`python -m xl_upr` runs the command-line interface."""

from __future__ import annotations

import sys

from xl_upr.cli import main

sys.exit(main())
