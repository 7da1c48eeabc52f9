"""`python -m frankly.captioner URL ROOM`: the captioner process (program.py)."""

import sys

from frankly.captioner.program import main

sys.exit(main(sys.argv[1:]))
