"""Snapshot every report tfgate writes, and compare two snapshots.

A refactoring must not change what tfgate says. This script judges every fixture plan, every
plan of the shared corpus (when `../shared/corpus` is beside the checkout) and, with
`--generated N`, a generated benchmark plan of N resources, under every built-in profile, and
writes each report in every registered format to one file of a snapshot directory:

    python scripts/snapshot_reports.py write /tmp/before
    ... change the code ...
    python scripts/snapshot_reports.py write /tmp/after
    python scripts/snapshot_reports.py compare /tmp/before /tmp/after

`compare` lists every file that differs, is missing or is new, and exits 1 when any does.
Run both snapshots from the repository root: plans are named relative to it (the corpus as
`../shared/corpus/...`), so snapshots written in two checkouts side by side compare equal.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
TODAY = datetime.date(2026, 12, 1)


def plans(generated: list[int], workdir: Path) -> Iterator[tuple[str, Path]]:
    """(snapshot name, plan path) for every plan to judge, in a stable order."""
    for path in sorted((ROOT / "fixtures").glob("**/plan.json")):
        yield "fixtures/" + path.parent.relative_to(ROOT / "fixtures").as_posix(), path
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*/*.json")):
            yield "corpus/" + path.relative_to(CORPUS).with_suffix("").as_posix(), path
    if generated:
        sys.path.insert(0, str(ROOT))
        from bench.generate import write_plan

        for size in generated:
            path = workdir / f"generated-{size}.json"
            write_plan(path, size)
            yield f"generated/{size}", path


def write(directory: Path, generated: list[int]) -> int:
    from tfgate.cli import FormatRequest, judge_plans, render_format
    from tfgate.errors import TfgateError
    from tfgate.formats import FORMATS
    from tfgate.resources import builtin_profile_names

    formats = sorted({"text", *FORMATS})
    # Generated plans are written to one fixed place, so that reports naming them compare equal.
    workdir = ROOT / "build" / "snapshot"
    workdir.mkdir(parents=True, exist_ok=True)
    for name, path in plans(generated, workdir):
        for profile in builtin_profile_names():
            target = directory / name / profile
            target.mkdir(parents=True, exist_ok=True)
            try:
                report = judge_plans(
                    [os.path.relpath(path, ROOT)],
                    cli_profiles=[profile],
                    config_path=None,
                    waivers_path=None,
                    account=None,
                    workspace=None,
                    today=TODAY,
                    locate=True,
                )
            except TfgateError as error:
                (target / "error.txt").write_text(f"{error}\n", encoding="utf-8")
                continue
            for format_name in formats:
                text = render_format(FormatRequest(format_name, Path("file")), report)
                (target / f"report.{format_name}").write_text(text, encoding="utf-8")
    return 0


def compare(before: Path, after: Path) -> int:
    names_before = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    names_after = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    differing = 0
    for name in sorted(names_before | names_after):
        if name not in names_after:
            print(f"missing: {name}")
        elif name not in names_before:
            print(f"new: {name}")
        else:
            old = (before / name).read_text(encoding="utf-8")
            new = (after / name).read_text(encoding="utf-8")
            if old == new:
                continue
            print(f"differs: {name}")
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
            for line in list(diff)[2:8]:
                print(f"    {line[:160]}")
        differing += 1
    print(f"{differing} of {len(names_before | names_after)} files differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    write_parser = commands.add_parser("write", help="write a snapshot to DIR")
    write_parser.add_argument("directory", type=Path)
    write_parser.add_argument("--generated", type=int, action="append", default=[])
    compare_parser = commands.add_parser("compare", help="compare two snapshots")
    compare_parser.add_argument("before", type=Path)
    compare_parser.add_argument("after", type=Path)
    arguments = parser.parse_args(argv)
    if arguments.command == "write":
        return write(arguments.directory, arguments.generated)
    return compare(arguments.before, arguments.after)


if __name__ == "__main__":
    sys.exit(main())
