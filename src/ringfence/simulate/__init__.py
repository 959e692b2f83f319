"""The simulator: a synthetic city and outbreak, the platform's "outside world".

It never imports the platform; it writes the feeds of DESIGN.md section 4 (and a ground-truth
file the platform never reads) and, in the closed loop, takes the platform's actions back.
Entry points: `engine.run(config, actions)` and `engine.Simulation.step(day, actions)`; the
CLI is `ringfence simulate` (simulate/cli.py). See engine.py's docstring for the loop.
"""
