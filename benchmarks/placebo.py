"""Calibration for benchmarks/run.py's add-one pairs: the same u a u a u ... design and estimator,
but every "added" slot is an unchanged rebuild too. Its differences are the machine's noise alone.

    uv run python benchmarks/placebo.py [--pairs 10]      (≈ 45 s a pair, after a fresh N=200 build)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import Build, build, differences, make_inbox, mean_se, phase_differences, signed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inbox, data = Path(tmp) / "inbox", Path(tmp) / "data"
        make_inbox(inbox, args.size)
        build(inbox, data)
        builds: list[Build] = [build(inbox, data) for _ in range(2 * args.pairs + 1)]

    print(
        f"Placebo, {args.pairs} pairs at N={args.size}, middle rebuild minus its neighbours: "
        f"{phase_differences(builds)}; end to end {signed(*mean_se(differences(builds, lambda r: r.wall)))}. "
        "Rebuilds: " + ", ".join(f"{r.wall:.1f}" for r in builds) + " s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
