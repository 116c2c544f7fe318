"""The benchmarks still run (not timed here: bench/ reports times, the suite only proves they work)."""
from __future__ import annotations


def test_scale_benchmark_runs_on_a_small_synthetic_register():
    from bench.scale import measure

    result = measure(1000)
    assert result["n"] == 1000
    assert {"load", "load_kept", "second_run", "coverage", "validation", "derivation",
            "peak_mib"} <= set(result)
