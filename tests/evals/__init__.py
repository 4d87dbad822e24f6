"""Tests of evals/: the datasets, the scorers, the gate, the sabotage suite, the benchmarks."""
