"""Where a finding is shown by the formats that need a file for every finding (SARIF, GitLab)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from tfgate.report import Finding, Location, Report
from tfgate.source import STDIN


def relative_path(file: str) -> str:
    """A path a code host can resolve: an absolute one is reduced to its file name.

    `tfgate check` already makes every location relative to the repository root; this guards
    reports built some other way, so no machine path ever reaches an upload.
    """
    path = PurePosixPath(file.replace("\\", "/"))
    return path.name if path.is_absolute() else path.as_posix()


def plan_paths(report: Report) -> dict[str, str]:
    """Each plan as findings name it → its path relative to the repository root."""
    return dict(zip(report.sources, report.plan_paths, strict=False))


def shown_location(finding: Finding, plans: Mapping[str, str]) -> Location:
    """The finding's location, else line 1 of the plan file it came from (`plans`: see above)."""
    if finding.location is not None:
        file, line = finding.location.file, finding.location.line
    else:
        file, line = plans.get(finding.plan, finding.plan), 1
    return Location(file=relative_path(file) or STDIN, line=max(1, line))
