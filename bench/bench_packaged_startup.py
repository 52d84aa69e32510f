"""Start-up of the packaged app (PyInstaller onedir) beside the same app run from source.

    .venv/bin/python bench/bench_packaged_startup.py [--bundle dist/xianjie] [--runs 7]

Without ``--bundle`` the bundle is built first (installer/bundle.py, into bench/out/). Each
start is a fresh process; the time is wall-clock from spawning it to its exit. Two
workloads, the same for both programs and over the same data folder (demo data, 2,000 cases):

- ``selftest --json``: imports the CLI and services, opens and checks the database, starts
  Qt offscreen and shows a widget, runs tesseract and fc-list: the broadest start;
- ``search 化工 --json``: the CLI alone over the store (no Qt).

Packaged and source runs alternate so disk cache and CPU state favour neither; the source
tree's bytecode is compiled first (as an installed wheel would have it). The caches are warm
(dropping the page cache would need root and disturb other work on the machine): "cold" here
means a new process, as in bench/bench_startup.py. Medians, the ratio (goal <= 1.5x) and the
bundle's unpacked size go to ``bench/results/packaged.md``.
"""

import argparse
import compileall
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from installer.bundle import SIZE_BUDGET, build_bundle, executable_name, tree_size  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "packaged.md"
GOAL = 1.5
WORKLOADS = {
    "selftest": ["selftest", "--json"],
    "search": ["search", "化工", "--json"],
}


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XIANJIE_", "PYTHON"))}
    env["XIANJIE_SITE_CONFIG"] = str(tmp / "no-site.toml")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode(errors='replace')}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", type=Path, help="an existing onedir bundle folder")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()

    built_in = None
    if args.bundle is None:
        started = time.monotonic()
        args.bundle = build_bundle(
            ROOT / "bench" / "out" / "dist", ROOT / "bench" / "out" / "build"
        )
        built_in = time.monotonic() - started
    frozen = args.bundle.resolve() / executable_name()
    source = Path(sys.executable).parent / "xianjie"
    compileall.compile_dir(ROOT / "app", quiet=1)

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = _env(tmp)
        data = tmp / "data"
        made = subprocess.run(
            [str(source), "--data-dir", str(data), "demo-data", "--cases", str(args.cases)],
            env=env,
            capture_output=True,
            check=False,
        )
        if made.returncode != 0:
            raise SystemExit(made.stderr.decode(errors="replace"))
        times: dict[tuple[str, str], list[float]] = {}
        for name, workload in WORKLOADS.items():
            for program in (frozen, source):  # one warm-up each, not counted
                _timed([str(program), "--data-dir", str(data), *workload], env)
            for _ in range(args.runs):
                for kind, program in (("packaged", frozen), ("source", source)):
                    took = _timed([str(program), "--data-dir", str(data), *workload], env)
                    times.setdefault((name, kind), []).append(took)

    size = tree_size(args.bundle)
    rows = []
    worst = 0.0
    for name in WORKLOADS:
        packaged = statistics.median(times[(name, "packaged")])
        from_source = statistics.median(times[(name, "source")])
        ratio = packaged / from_source
        worst = max(worst, ratio)
        rows.append(
            f"| `{' '.join(WORKLOADS[name])}` | {packaged * 1000:.0f} ms | "
            f"{from_source * 1000:.0f} ms | {ratio:.2f}x |"
        )
        print(f"{name}: packaged {packaged:.3f} s, source {from_source:.3f} s, {ratio:.2f}x")
    verdict = "met" if worst <= GOAL else "missed"
    size_verdict = "within" if size <= SIZE_BUDGET else "over"
    print(f"unpacked size {size / 1e6:.1f} MB ({size_verdict} {SIZE_BUDGET / 1e6:.0f} MB)")
    load = os.getloadavg()[0]
    build_line = f"Bundle built in {built_in:.0f} s for this run.\n" if built_in else ""
    RESULTS.write_text(
        f"""# Packaged start-up and size (bench/bench_packaged_startup.py)

Goal: the packaged app (PyInstaller onedir) starts within {GOAL}x of the same app run from
source (`.venv/bin/xianjie`); the unpacked bundle is at most {SIZE_BUDGET / 1e6:.0f} MB.

| workload | packaged (median) | source (median) | ratio |
|---|---|---|---|
{chr(10).join(rows)}

Start-up goal: **{verdict}** (worst ratio {worst:.2f}x).

Unpacked size: **{size / 1e6:.1f} MB**, {size_verdict} the {SIZE_BUDGET / 1e6:.0f} MB budget
(`du -sb`, symlinks not counted).

{build_line}Method: {args.runs} alternating runs per program and workload after one warm-up
each, fresh process per run, wall-clock spawn to exit, over one data folder with
{args.cases} demo cases; `QT_QPA_PLATFORM=offscreen`; page cache warm (not a cold-boot
start); source bytecode compiled first. Machine: {platform.platform()}, Python
{platform.python_version()}, {os.cpu_count()} CPUs, load {load:.1f} at the end of the run.
""",
        encoding="utf-8",
    )
    return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
