"""Legacy Word through LibreOffice: a warm converter of the pool against a fresh soffice per file.

Run by hand, never by the test suite (speed goals are not timed tests)::

    python bench/bench_convert.py              # every sample DOC, 3 rounds warm, 1 cold
    python bench/bench_convert.py --rounds 10

Prints, per sample DOC, the wall time of a conversion to DOCX by a warm converter (best and
median over the rounds; target: under 0.5 s), the time the pool took to start its converter,
and the time of one ``soffice --convert-to`` run of the same file with a fresh profile (what
every conversion cost before the pool). Times are wall-clock: LibreOffice runs in other
processes, so the CPU time of this one would say nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo import SAMPLES  # noqa: E402
from yingji_parser.convert import ConverterPool, ConverterSettings, find_soffice  # noqa: E402

FILTER = "MS Word 2007 XML"


def cold(path: Path) -> float:
    """One conversion the old way: a new soffice with a new profile, for this file alone."""
    with tempfile.TemporaryDirectory(prefix="yingji-bench-") as tmp:
        started = time.perf_counter()
        subprocess.run(
            [
                find_soffice(),
                f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                f"docx:{FILTER}",
                "--outdir",
                tmp,
                str(path),
            ],
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="warm conversions per file")
    parser.add_argument("--no-cold", action="store_true", help="skip the fresh-soffice baseline")
    args = parser.parse_args()
    docs = sorted(SAMPLES.glob("*.doc"))
    with ConverterPool(ConverterSettings()) as pool:
        started = time.perf_counter()
        pool.warm()
        print(f"converter start: {time.perf_counter() - started:.2f} s")
        print(f"{'file':<14} {'warm best':>10} {'warm median':>12} {'fresh soffice':>14}")
        all_warm: list[float] = []
        for path in docs:
            data = path.read_bytes()
            times = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                pool.convert(data, ".doc", "docx", FILTER, timeout=60)
                times.append(time.perf_counter() - t)
            all_warm += times
            fresh = "" if args.no_cold else f"{cold(path):.2f} s"
            print(
                f"{path.name:<14} {min(times):>8.3f} s {statistics.median(times):>10.3f} s "
                f"{fresh:>14}"
            )
        print(f"warm median over all: {statistics.median(all_warm):.3f} s (target < 0.5 s)")


if __name__ == "__main__":
    main()
