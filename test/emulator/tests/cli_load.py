"""100 clients at once, each on one kept-alive connection (load.py)."""
import load
from harness import Failure, test


@test("load", alone=True)
def hundred_kept_alive_clients(t):
    figures, problems = load.run(t.emu.port, clients=100, requests=20)
    print("# load: " + load.describe(figures), flush=True)
    if problems:
        raise Failure("%d problems: %s" % (len(problems), "; ".join(problems[:5])))
