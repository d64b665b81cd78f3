"""Measurement health: was the machine fit to measure while the run ran?

    host.py        the kernel's cumulative counters (PSI, /proc/stat, load average) and the
                   conditions between two readings
    processes.py   CPU of process groups (the generator, the system under test)
    sampler.py     readings through a run: sample windows, the load phase, the verdict
    rules.py       the limits and the verdict (pure)
    generator.py   was the load generator, not the server, the bottleneck? (start lag, CPU, drops)
    text.py        the verdict in one line, for the summary, the report and the dashboard
"""
