"""`python -m frankly.bench.sfu`: the same as `frankly bench sfu`."""

from frankly.bench.sfu.cli import main

main()
