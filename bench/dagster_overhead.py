"""Dagster's per-step overhead with its in-process executor, for `npm run bench -- orchestration`.

Five no-op ops in a chain, run with `execute_in_process` against one ephemeral instance (no daemon,
no webserver), median wall time of RUNS runs after WARMUPS. Prints one JSON line:
{"dagster": version, "runs": n, "median_ms": run median, "per_step_ms": median / 5}.

With `--serve`, runs the warm-ups, prints {"dagster": version, "ready": true}, then times one run per
line read from stdin and prints its wall time in ms: the bench interleaves these runs with its
Temporal runs, so load on a shared machine touches both alike.
Needs `pip install dagster` (the bench looks for it in QUIVER_BENCH_DAGSTER_PYTHON).
"""

import json
import statistics
import sys
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


def serve():
    instance = DagsterInstance.ephemeral()
    for _ in range(WARMUPS):
        timed_run(instance)
    print(json.dumps({"dagster": dagster.__version__, "ready": True}), flush=True)
    for _ in sys.stdin:
        print(f"{timed_run(instance):.3f}", flush=True)


def main():
    if "--serve" in sys.argv:
        return serve()
    instance = DagsterInstance.ephemeral()
    times = []
    for i in range(WARMUPS + RUNS):
        elapsed = timed_run(instance)
        if i >= WARMUPS:
            times.append(elapsed)
    median = statistics.median(times)
    print(json.dumps({"dagster": dagster.__version__, "runs": RUNS, "median_ms": median, "per_step_ms": median / STEPS}))


if __name__ == "__main__":
    main()
