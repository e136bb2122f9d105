"""Dagster's per-step overhead with its in-process executor, for `npm run bench -- orchestration`.

Five no-op ops in a chain, run with `execute_in_process` against one ephemeral instance (no daemon,
no webserver), median wall time of RUNS runs after WARMUPS. Prints one JSON line:
{"dagster": version, "runs": n, "median_ms": run median, "per_step_ms": median / 5}.

With `--durable`, the instance keeps its runs and events in SQLite files in a temporary directory
(`DagsterInstance.local_temp`, what a `DAGSTER_HOME` instance does on disk: the run history a Dagster
user reads back, as Quiver's runs are kept by its SQLite-file Temporal server) instead of in memory.

With `--serve`, runs the warm-ups, prints {"dagster": version, "ready": true}, then times one run per
line read from stdin and prints its wall time in ms: the bench interleaves these runs with its
Temporal runs, so load on a shared machine touches both alike.
Needs `pip install dagster` (the bench looks for it in QUIVER_BENCH_DAGSTER_PYTHON).
"""

import json
import statistics
import sys
import tempfile
import time

import dagster
from dagster import DagsterInstance, job, op

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 20
WARMUPS = 3
STEPS = 5


@op
def step1():
    return 1


@op
def step2(x):
    return x


@op
def step3(x):
    return x


@op
def step4(x):
    return x


@op
def step5(x):
    return x


@job
def five_steps():
    step5(step4(step3(step2(step1()))))


def timed_run(instance):
    started = time.perf_counter()
    result = five_steps.execute_in_process(instance=instance)
    elapsed = (time.perf_counter() - started) * 1000
    if not result.success:
        raise SystemExit("dagster run failed")
    return elapsed


def make_instance(tempdir):
    """In memory, or with `--durable` on SQLite files under `tempdir`."""
    if "--durable" in sys.argv:
        return DagsterInstance.local_temp(tempdir=tempdir)
    return DagsterInstance.ephemeral()


def serve(tempdir):
    instance = make_instance(tempdir)
    for _ in range(WARMUPS):
        timed_run(instance)
    print(json.dumps({"dagster": dagster.__version__, "ready": True}), flush=True)
    for _ in sys.stdin:
        print(f"{timed_run(instance):.3f}", flush=True)


def main():
    with tempfile.TemporaryDirectory() as tempdir:
        measure(tempdir)


def measure(tempdir):
    if "--serve" in sys.argv:
        return serve(tempdir)
    instance = make_instance(tempdir)
    times = []
    for i in range(WARMUPS + RUNS):
        elapsed = timed_run(instance)
        if i >= WARMUPS:
            times.append(elapsed)
    median = statistics.median(times)
    print(json.dumps({"dagster": dagster.__version__, "runs": RUNS, "median_ms": median, "per_step_ms": median / STEPS}))


if __name__ == "__main__":
    main()
