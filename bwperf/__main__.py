"""`python -m bwperf ...`: the same as the `bwperf` console script."""

from bwperf.cli import main

main()
