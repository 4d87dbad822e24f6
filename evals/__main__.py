"""`python -m evals run …` (see evals/README.md)."""

from evals.cli import main

main()
