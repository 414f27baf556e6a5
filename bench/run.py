"""The benchmark: tfgate against the parse floor (and checkov) on generated plans.

    python bench/run.py                                   # N = 1,000, 10,000, 50,000
    python bench/run.py --checkov /tmp/checkov-venv/bin/checkov

For each N it generates a plan (bench/generate.py, into bench/out/ unless --out says otherwise)
and measures, interleaved in one run, median of several repetitions:

- the floor: a subprocess that reads the file and parses it with orjson (time in-process, so
  without interpreter start-up), and the RSS growth of holding the parsed document;
- `tfgate check PLAN --format json --profile P` as a subprocess (wall time, peak RSS from
  wait4), for `baseline` and, when the profile exists, `pci-dss`;
- checkov, when `--checkov PATH` is given (`--framework terraform_plan`), once per N with a
  time limit;
- tfgate's start-up: `tfgate check` on a 1-resource plan, and on a small plan with its `.tf`
  file beside it (`fixtures/iam-user-created/fail`), whose findings are located in the source:
  parsing HCL is part of what a user pays on every run.

Targets (from the issue): wall ≤ 2 x floor + 0.3 s; memory ≤ 1.5 x the memory of holding the
parsed JSON; start-up ≤ 0.35 s; cost linear in N.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import write_plan  # noqa: E402

DEFAULT_SIZES = (1_000, 10_000, 50_000)
WITH_SOURCE = ROOT / "fixtures" / "iam-user-created" / "fail" / "plan.json"
"""A plan with findings and the main.tf it was made from, beside it."""
COLUMNS = ("baseline", "pci-dss")
FLOOR_SCRIPT = """
import resource, sys, time
import orjson

def high_water_kib():
    # VmHWM belongs to this program's own address space. ru_maxrss does not: it starts from the
    # size of the parent at the fork (this benchmark, holding a generated plan), which made the
    # floor's growth look smaller than it is.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

before = high_water_kib()
start = time.perf_counter()
with open(sys.argv[1], "rb") as handle:
    document = orjson.loads(handle.read())
seconds = time.perf_counter() - start
after = high_water_kib()
print(seconds, before, after)
"""


@dataclass
class Run:
    seconds: float
    peak_kib: int
    code: int


@dataclass
class Row:
    n: int
    size: int
    floor_seconds: list[float] = field(default_factory=list)
    floor_growth_kib: list[int] = field(default_factory=list)
    floor_peak_kib: list[int] = field(default_factory=list)
    tfgate: dict[str, list[Run]] = field(default_factory=dict)
    checkov: Run | None = None
    checkov_note: str = ""


def child_env() -> dict[str, str]:
    """The environment of measured commands: bytecode caching on, as in a normal install."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["NO_COLOR"] = "1"
    return env


def measure(command: list[str], timeout: float | None = None) -> Run:
    """Wall time and peak RSS (KiB, from wait4) of one command; output discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env()
    )
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            return Run(time.perf_counter() - start, usage.ru_maxrss, -1)
        time.sleep(0.005)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_maxrss, process.returncode)


def floor(plan: Path) -> tuple[float, int, int]:
    """(read + parse seconds, RSS growth KiB, peak RSS KiB) of a process that only parses."""
    completed = subprocess.run(
        [sys.executable, "-c", FLOOR_SCRIPT, str(plan)],
        capture_output=True,
        text=True,
        check=True,
        env=child_env(),
    )
    seconds, before, after = completed.stdout.split()
    return float(seconds), int(after) - int(before), int(after)


def tfgate_command(plan: Path, profile: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tfgate",
        "check",
        str(plan),
        "--format",
        "json",
        "--profile",
        profile,
    ]


def checkov_command(checkov: str, plan: Path) -> list[str]:
    return [
        checkov,
        "-f",
        str(plan),
        "--framework",
        "terraform_plan",
        "--quiet",
        "--compact",
        "-o",
        "json",
        "--skip-download",
    ]


def profiles_available() -> list[str]:
    found = ["baseline"]
    if (ROOT / "profiles" / "pci-dss.yaml").is_file():
        found.append("pci-dss")
    return found


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def mib(kib: float) -> float:
    return kib / 1024


def repetitions(n: int, default: int) -> int:
    return default if n <= 10_000 else max(1, min(default, 3))


def run(args: argparse.Namespace) -> dict[str, Any]:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    profiles = profiles_available()
    started = time.perf_counter()

    tiny = write_plan(out / "plan-1.json", 1, seed=args.seed)
    for _ in range(2):  # warm-up: bytecode caches, page cache
        measure(tfgate_command(tiny, "baseline"))
    startup = [measure(tfgate_command(tiny, "baseline")) for _ in range(args.repeat * 2)]
    for _ in range(2):
        measure(tfgate_command(WITH_SOURCE, "baseline"))
    startup_source = [
        measure(tfgate_command(WITH_SOURCE, "baseline")) for _ in range(args.repeat * 2)
    ]
    # What any Python program pays on this machine before its first import (site hooks included).
    interpreter = [measure([sys.executable, "-c", "pass"]) for _ in range(args.repeat * 2)]
    for plan, runs in ((tiny, startup), (WITH_SOURCE, startup_source)):
        for item in runs:
            if item.code not in (0, 1):
                raise SystemExit(f"tfgate failed on {plan} (exit {item.code})")

    rows: list[Row] = []
    checkov_stopped = False
    for n in args.sizes:
        plan = out / f"plan-{n}.json"
        print(f"generating {plan} ...", file=sys.stderr, flush=True)
        write_plan(plan, n, seed=args.seed, violations=args.violations)
        row = Row(n, plan.stat().st_size, tfgate={profile: [] for profile in profiles})
        plan.read_bytes()  # page cache
        reps = repetitions(n, args.repeat)
        for rep in range(reps):
            print(f"  N={n:,}: repetition {rep + 1}/{reps}", file=sys.stderr, flush=True)
            seconds, growth, peak = floor(plan)
            row.floor_seconds.append(seconds)
            row.floor_growth_kib.append(growth)
            row.floor_peak_kib.append(peak)
            for profile in profiles:
                result = measure(tfgate_command(plan, profile))
                if result.code not in (0, 1):
                    raise SystemExit(f"tfgate could not judge {plan} (exit {result.code})")
                row.tfgate[profile].append(result)
        if args.checkov and not checkov_stopped:
            print(f"  N={n:,}: checkov", file=sys.stderr, flush=True)
            result = measure(checkov_command(args.checkov, plan), timeout=args.checkov_timeout)
            if result.code == -1:
                row.checkov_note = f"stopped after {args.checkov_timeout:.0f} s"
                checkov_stopped = True
            else:
                row.checkov = result
        elif args.checkov:
            row.checkov_note = "not run (smaller N hit the time limit)"
        rows.append(row)

    return {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "profiles": profiles,
        "startup": [item.seconds for item in startup],
        "startup_peak_kib": [item.peak_kib for item in startup],
        "startup_with_source": [item.seconds for item in startup_source],
        "interpreter": [item.seconds for item in interpreter],
        "rows": rows,
        "elapsed": time.perf_counter() - started,
    }


def table(results: dict[str, Any], args: argparse.Namespace) -> str:
    profiles: list[str] = results["profiles"]
    rows: list[Row] = results["rows"]
    startup = median(results["startup"])
    with_source = median(results["startup_with_source"])
    startup_kib = median(results["startup_peak_kib"])
    lines = [
        f"Machine: {results['machine']['cores']} cores, Python {results['machine']['python']}, "
        f"{results['machine']['platform']}",
        f"Median of {args.repeat} runs (at most 3 for N > 10,000); checkov once per N. "
        f"Benchmark time {results['elapsed']:.0f} s.",
        "",
        "| N | file | floor (read+parse) | tfgate "
        + " | tfgate ".join(COLUMNS)
        + " | time ratio¹ | checkov | floor memory² | tfgate memory³ | memory ratio⁴ "
        "| checkov memory |",
        "|---:|---:|---:|" + "---:|" * len(COLUMNS) + "---:|---:|---:|---:|---:|---:|",
    ]
    verdicts: list[str] = []
    for row in rows:
        floor_s = median(row.floor_seconds)
        growth = median([float(v) for v in row.floor_growth_kib])
        times = {p: median([r.seconds for r in row.tfgate[p]]) for p in profiles}
        peaks = {p: median([float(r.peak_kib) for r in row.tfgate[p]]) for p in profiles}
        worst = max(times.values())
        worst_peak = max(peaks.values())
        budget = 2 * floor_s + 0.3
        own = worst_peak - startup_kib
        ratio_mem = own / growth if growth > 0 else float("nan")
        if row.checkov is not None:
            checkov_time = f"{row.checkov.seconds:.1f} s ({row.checkov.seconds / worst:.0f}x)"
            checkov_mem = f"{mib(row.checkov.peak_kib):,.0f} MiB"
        else:
            checkov_time = row.checkov_note or "n/a"
            checkov_mem = "n/a"
        lines.append(
            f"| {row.n:,} | {row.size / 1e6:,.1f} MB | {floor_s:.2f} s | "
            + " | ".join(f"{times[p]:.2f} s" if p in times else "n/a" for p in COLUMNS)
            + f" | {worst / floor_s:.2f}x (budget {budget:.2f} s) | {checkov_time} "
            f"| {mib(growth):,.0f} MiB | {mib(worst_peak):,.0f} MiB ({mib(own):,.0f} MiB) "
            f"| {ratio_mem:.2f}x | {checkov_mem} |"
        )
        verdicts.append(
            f"N={row.n:,}: time {'met' if worst <= budget else 'NOT met'} "
            f"({worst:.2f} s vs {budget:.2f} s); memory "
            f"{'met' if ratio_mem <= 1.5 else 'NOT met'} ({ratio_mem:.2f}x vs 1.5x)"
        )
    per_thousand = [median([r.seconds for r in row.tfgate[profiles[0]]]) - startup for row in rows]
    slopes = [
        f"{row.n:,}: {cost / row.n * 1000 * 1000:.0f} ms"
        for row, cost in zip(rows, per_thousand, strict=True)
    ]
    lines += [
        "",
        "¹ slowest tfgate profile / floor; budget = 2 x floor + 0.3 s.",
        "² RSS growth of a process that only reads and parses the file with orjson.",
        "³ peak RSS of `tfgate check`; in brackets, above its start-up footprint "
        f"({mib(startup_kib):.0f} MiB on a 1-resource plan).",
        "⁴ tfgate memory above its start-up footprint / floor memory; target ≤ 1.5x.",
        "",
        f"Start-up (`tfgate check` on a 1-resource plan): {startup:.3f} s "
        f"(target ≤ 0.35 s: {'met' if startup <= 0.35 else 'NOT met'}); "
        f"the bare interpreter (`python -c pass`) takes {median(results['interpreter']):.3f} s.",
        "Start-up with a .tf beside the plan (`tfgate check "
        f"{WITH_SOURCE.relative_to(ROOT)}`, findings located in main.tf): {with_source:.3f} s "
        f"(target ≤ 0.35 s: {'met' if with_source <= 0.35 else 'NOT met'}).",
        "tfgate time per 1,000 resources, start-up excluded (linear growth keeps it flat): "
        + ", ".join(slopes)
        + ".",
        *verdicts,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: tuple(int(part) for part in text.split(",")),
        default=DEFAULT_SIZES,
        help="comma-separated resource counts (default 1000,10000,50000)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (3 above N=10,000)")
    parser.add_argument("--checkov", help="path of a checkov executable to compare with")
    parser.add_argument("--checkov-timeout", type=float, default=240.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--violations", type=float, default=0.02)
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    args = parser.parse_args(argv)
    results = run(args)
    print(table(results, args))
    if args.json:
        raw = {**results, "rows": [row.__dict__ for row in results["rows"]]}
        args.json.write_text(json.dumps(raw, default=lambda o: o.__dict__, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
