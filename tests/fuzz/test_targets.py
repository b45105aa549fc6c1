"""Each fuzz target, a few examples in the suite: the targets stay runnable, and the
properties hold on a quick sample (``make fuzz`` runs them at scale)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.targets import TARGETS, Target


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_target_property_holds_on_a_sample(target: Target) -> None:
    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(target.inputs)
    def run(drawn: tuple[object, ...]) -> None:
        target.check(*drawn)

    run()
