"""Scale benchmark on SYNTHETIC registers: load, validation and derivation at 10^3 .. 10^6 figures.

    python -m bench.scale                 # 1000 10000 100000 1000000
    python -m bench.scale 1000 10000      # chosen sizes

Each size runs in a fresh process (so peak memory is its own) and prints seconds per phase,
seconds per 1 000 figures and peak resident memory; then, as a second process would:
- `2nd run s`: a second run with nothing changed, which computes the digest of what it reads
  (pipelines/unchanged.py: code, catalogues, documents checked against their SHA-256, the
  digest kept beside each register's checked reading) and, finding that of the visible release,
  skips every later step;
- `kept load s`: loading every register from its kept checked reading, as a run does when
  another input changed (coverage, validation and derivation then cost what they cost the
  first time).
Not a test: nothing is asserted here.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def measure(n: int) -> dict:
    """Generate `n` synthetic figures and time each phase of the pipeline on them."""
    from bench.synthetic import generate
    from pipelines.checks import with_provenance_flags
    from sources.register import forget_in_process, load_all
    from transforms import tables
    from transforms.regional import regional_table
    from transforms.series import changes_table, series_table, vintages_table

    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(n, Path(tmp) / "sources")
        kept = Path(tmp) / "kept"  # what the pipeline keeps in outputs/build/registers/
        t = time.perf_counter()
        register = load_all(root, cache=kept)
        observations = tables.observations_table(register)
        documents = tables.documents_table(register)
        indicators = tables.indicators_table(register)
        times["load"] = time.perf_counter() - t

        t = time.perf_counter()
        coverage = tables.coverage_summary(tables.coverage_table(register))
        times["coverage"] = time.perf_counter() - t

        from expectations import suites
        from expectations.runner import validate

        import great_expectations  # noqa: F401  (import cost is not a per-size cost)

        t = time.perf_counter()
        cat = register.catalogues
        vocab = cat.vocabulary
        outcome = validate(with_provenance_flags(observations, cat), "observations",
                           suites.observations_expectations(
                               list(cat.indicators), list(vocab["units"]), list(vocab["kinds"]),
                               list(vocab["qualifiers"]), cat.geo_codes,
                               list(vocab["entities"]), list(vocab["obs_statuses"]),
                               list(vocab["period_bases"])))
        times["validation"] = time.perf_counter() - t
        assert outcome["success"], outcome["failures"]

        t = time.perf_counter()
        vintages = vintages_table(observations, documents, indicators)
        series = series_table(vintages)
        changes_table(series)
        regional_table(series, indicators, cat.places.table)
        times["derivation"] = time.perf_counter() - t
        assert len(observations) == n and int(coverage["unaccounted"].sum()) == 0
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the first run's
        del register, observations, vintages, series

        forget_in_process()  # as the next run's process: only the kept readings are left
        from pipelines.unchanged import inputs_digest

        digest = inputs_digest(root, kept)
        forget_in_process()
        t = time.perf_counter()
        assert inputs_digest(root, kept) == digest  # what a second run computes, then skips
        times["second_run"] = time.perf_counter() - t
        forget_in_process()
        t = time.perf_counter()
        again = load_all(root, cache=kept)
        tables.observations_table(again)
        times["load_kept"] = time.perf_counter() - t
        assert again.kept and not again.read
    return {"n": n, **times, "peak_mib": peak_mib}


def main(sizes: list[int]) -> None:
    print(f"{'figures':>9} {'load s':>8} {'cover s':>8} {'valid s':>8} {'derive s':>9} "
          f"{'total s':>8} {'s/1000':>7} {'peak MiB':>9} {'2nd run s':>10} {'kept load s':>12}")
    rows = []
    for n in sizes:
        out = subprocess.run([sys.executable, "-m", "bench.scale", "--one", str(n)], cwd=PROJECT,
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        total = r["load"] + r["coverage"] + r["validation"] + r["derivation"]
        rows.append((n, total))
        print(f"{n:>9} {r['load']:>8.2f} {r['coverage']:>8.2f} {r['validation']:>8.2f} "
              f"{r['derivation']:>9.2f} {total:>8.2f} {total / n * 1000:>7.3f} "
              f"{r['peak_mib']:>9.0f} {r['second_run']:>10.2f} {r['load_kept']:>12.2f}",
              flush=True)
    for (n0, t0), (n1, t1) in zip(rows, rows[1:]):
        print(f"x{n1 // n0} figures ({n0} -> {n1}): x{t1 / t0:.1f} time")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [1000, 10_000, 100_000, 1_000_000])
