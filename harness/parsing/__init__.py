"""Reading user-written options: k6 durations (`durations`) and config mappings with every problem
collected and named by its key path (`fields`). At the bottom of the harness, beside `errors`:
plans, executors and goals all read options through these."""
