"""The load-test engine and everything around it (stack, runs, results, comparison, costs)."""
