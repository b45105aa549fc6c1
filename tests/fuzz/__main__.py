"""``python -m tests.fuzz [--seconds N] [--target NAME]``: each fuzz target in turn, with
hypothesis at scale, for a fixed time split evenly across the targets (``make fuzz``;
``FUZZ_SECONDS``, default 300). Time a target leaves unused (it failed early) goes to the
targets after it.

Hypothesis has no time limit of its own, so each target runs in batches of examples, each
sized from the last one's speed to fill up to 15 s of the target's share, with a fresh
random seed. Failures are kept in ``.hypothesis/fuzz`` (ignored by git) and replayed first
on the next run, until fixed; a target stops at its first failure, printed with the input
that shows it (shrunk). Exit status 1 when any target failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.fuzz.targets import TARGETS, Target

DATABASE = Path(__file__).resolve().parents[2] / ".hypothesis" / "fuzz"
FIRST_BATCH = 50
BATCH_SECONDS = 15
"""Batches stay short: later examples grow, and a batch sized from the last overruns."""


@dataclass
class Outcome:
    target: str
    examples: int = 0
    seconds: float = 0.0
    failure: str | None = None


def fuzz(target: Target, seconds: float) -> Outcome:
    """Run ``target`` for about ``seconds``; the outcome says how many examples ran."""
    outcome = Outcome(target.name)
    start = time.monotonic()
    batch = FIRST_BATCH
    while outcome.failure is None and time.monotonic() - start < seconds:
        batch_start = time.monotonic()
        ran = _run_batch(target, batch, outcome)
        outcome.examples += ran
        elapsed = time.monotonic() - batch_start
        left = seconds - (time.monotonic() - start)
        per_example = elapsed / max(ran, 1)
        batch = max(1, int(min(left, BATCH_SECONDS) / per_example)) if left > 0 else 0
    outcome.seconds = time.monotonic() - start
    return outcome


def _run_batch(target: Target, examples: int, outcome: Outcome) -> int:
    ran = 0

    @settings(max_examples=examples, deadline=None, derandomize=False,
              database=DirectoryBasedExampleDatabase(DATABASE), print_blob=True,
              phases=(Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
              suppress_health_check=list(HealthCheck))
    @given(target.inputs)
    def run(drawn: tuple[object, ...]) -> None:
        nonlocal ran
        ran += 1
        target.check(*drawn)

    try:
        run()
    except Exception:  # the property failed: hypothesis has shrunk and printed the input
        outcome.failure = traceback.format_exc()
    return ran


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("FUZZ_SECONDS", "300")),
                        help="total time, split across the targets (default: FUZZ_SECONDS or 300)")
    parser.add_argument("--target", action="append", default=[],
                        help="run only targets whose name contains this (repeatable)")
    args = parser.parse_args()
    targets = [t for t in TARGETS if not args.target or any(n in t.name for n in args.target)]
    if not targets:
        parser.error(f"no target matches {args.target}; targets: {[t.name for t in TARGETS]}")
    deadline = time.monotonic() + args.seconds
    outcomes = []
    for position, target in enumerate(targets):
        share = max(0.0, deadline - time.monotonic()) / (len(targets) - position)
        print(f"fuzz: {target.name} for {share:.0f} s", flush=True)
        outcome = fuzz(target, share)
        outcomes.append(outcome)
        if outcome.failure:
            print(outcome.failure, file=sys.stderr, flush=True)
    print("\n| target | examples | seconds | result |\n| --- | ---: | ---: | --- |")
    for outcome in outcomes:
        result = "FAILED (see above)" if outcome.failure else "ok"
        print(f"| {outcome.target} | {outcome.examples:,} | {outcome.seconds:.0f} | {result} |")
    return 1 if any(o.failure for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
