"""Resource address → the .tf file and line of its block, following module calls.

The plan JSON carries no source positions, so the `.tf` (and `.tofu`) files are parsed again with
python-hcl2. A module call is followed through its `source` in the plan's `configuration`: a local
source (`./x`, `../x`) is joined to the *calling* module's directory; any other source (registry,
git) is looked up in `.terraform/modules/modules.json`, which `terraform init` writes. When the
block cannot be found, the location is the `module "name"` call in the deepest caller that could
be read, so every finding of a module points somewhere a reviewer can act on; a resource whose
block is gone from the configuration (the plan deletes it) points at line 1 of the root module's
`main.tf`.

Reading files is the only I/O here; nothing prints, reads the environment or exits. A file that
python-hcl2 cannot parse falls back to a line scan, and an unreadable file is skipped. Nothing
outside the repository is read, whatever the plan's module sources, a `modules.json` or a
symlink say, and every location is relative to the repository root (see `SourceMap`).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import orjson

from tfgate.plan.address import split_address, strip_key
from tfgate.report import Finding, Location

BlockKey = tuple[str, ...]
"""`("resource", type, name)`, `("data", type, name)` or `("module", name)`."""

_BLOCK_KINDS = {"resource": 2, "data": 2, "module": 1}
_LABEL = r'"([^"\\]*)"'
_BLOCK_LINE = re.compile(
    rf"^[ \t]*(resource|data)[ \t]+{_LABEL}[ \t]+{_LABEL}[ \t]*\{{"
    rf"|^[ \t]*(module)[ \t]+{_LABEL}[ \t]*\{{"
)


@dataclass(frozen=True, slots=True)
class Target:
    """What a resource address names: the module call path and the block inside that module."""

    module_path: tuple[str, ...]
    block: BlockKey


def parse_address(address: str) -> Target | None:
    """`module.a["k"].module.b.aws_x.y[0]` → `Target(("a", "b"), ("resource", "aws_x", "y"))`."""
    parts = split_address(address)
    path: list[str] = []
    position = 0
    while position + 1 < len(parts) and parts[position] == "module":
        path.append(strip_key(parts[position + 1]))
        position += 2
    rest = parts[position:]
    if len(rest) == 3 and rest[0] == "data":
        return Target(tuple(path), ("data", rest[1], strip_key(rest[2])))
    if len(rest) == 2:
        return Target(tuple(path), ("resource", rest[0], strip_key(rest[1])))
    return None


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


def config_files(directory: Path) -> list[Path]:
    """The module's `*.tf` and `*.tofu` files; a `.tofu` file hides the `.tf` of the same stem."""
    try:
        with os.scandir(directory) as listing:
            names = [
                entry.name
                for entry in listing
                if entry.name.endswith((".tf", ".tofu")) and entry.is_file()
            ]
    except OSError:
        return []
    tofu_stems = {name.removesuffix(".tofu") for name in names if name.endswith(".tofu")}
    chosen = [
        name
        for name in names
        if name.endswith(".tofu") or name.removesuffix(".tf") not in tofu_stems
    ]
    return [directory / name for name in sorted(chosen)]


def block_lines(text: str) -> dict[BlockKey, int]:
    """The first line of each top-level `resource`, `data` and `module` block of one file."""
    return dict(_block_lines(text))


@lru_cache(maxsize=128)
def _block_lines(text: str) -> tuple[tuple[BlockKey, int], ...]:
    """Cached: parsing is the dearest step, and several plans often share one module's files."""
    try:
        found = _hcl_block_lines(text)
    except Exception:  # python-hcl2 rejects some valid HCL: scan lines instead
        found = _scanned_block_lines(text)
    return tuple(found.items())


def _hcl_block_lines(text: str) -> dict[BlockKey, int]:
    import hcl2  # imported on first use: building its parser costs a noticeable start-up time
    from lark import Token, Tree

    tree = hcl2.parses_to_tree(text)
    found: dict[BlockKey, int] = {}
    for body in tree.children:
        if not isinstance(body, Tree) or body.data != "body":
            continue
        for block in body.children:
            if not isinstance(block, Tree) or block.data != "block":
                continue
            labels: list[str] = []
            for child in block.children:
                if isinstance(child, Token):
                    break  # `{`: the labels are over
                if isinstance(child, Tree):
                    labels.append(_label_text(child))
            key = _block_key(labels)
            if key is not None and key not in found:
                found[key] = block.meta.line
    return found


def _label_text(node: Any) -> str:
    """The text of a block type or label: an identifier or a quoted string without quotes."""
    from lark import Token, Tree

    pieces: list[str] = []
    for child in node.children:
        if isinstance(child, Token):
            if child.type != "DBLQUOTE":
                pieces.append(str(child))
        elif isinstance(child, Tree):
            pieces.append(_label_text(child))
    return "".join(pieces)


def _block_key(labels: list[str]) -> BlockKey | None:
    if not labels:
        return None
    kind = labels[0]
    wanted = _BLOCK_KINDS.get(kind)
    if wanted is None or len(labels) != wanted + 1:
        return None
    return (kind, *labels[1:])


def _scanned_block_lines(text: str) -> dict[BlockKey, int]:
    found: dict[BlockKey, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _BLOCK_LINE.match(line)
        if match is None:
            continue
        if match.group(1):
            key: BlockKey = (match.group(1), match.group(2), match.group(3))
        else:
            key = ("module", match.group(5))
        found.setdefault(key, number)
    return found


@dataclass
class SourceMap:
    """Finds the block of a resource address in the Terraform sources of one root module.

    `root` is the root module's directory (where `terraform init` ran); `sources` maps module
    paths to their call's `source`; `base` is the repository root, with `/` separators.

    Nothing outside the repository is read: a module source, a `modules.json` `Dir`, a symlinked
    directory or file that resolves outside it is treated as absent, so the finding points at
    the module call instead. When `root` itself lies outside `base` (an explicit `--source-dir`
    elsewhere), the root module's directory is the boundary. Locations are relative to the
    boundary, never absolute. Each directory is listed once per map, however many resources
    point into it.
    """

    root: Path
    sources: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    base: Path | None = None
    _blocks: dict[Path, dict[BlockKey, tuple[Path, int]]] = field(default_factory=dict)
    _files: dict[Path, list[Path]] = field(default_factory=dict)
    _directories: dict[tuple[str, ...], Path | None] = field(default_factory=dict)
    _manifest: dict[str, str] | None = None
    _located: dict[Target, Location | None] = field(default_factory=dict)
    _boundary: Path = field(init=False)

    def __post_init__(self) -> None:
        self.root = Path(_normalise(self.root))
        base = Path(_normalise(self.base)) if self.base is not None else self.root
        if not _is_within(Path(os.path.realpath(self.root)), Path(os.path.realpath(base))):
            base = self.root
        self.base = base
        self._boundary = Path(os.path.realpath(base))

    def locate(self, address: str) -> Location | None:
        """The location of the block `address` names, or of the module call that holds it."""
        target = parse_address(address)
        if target is None:
            return None
        # Every instance of a block (count, for_each, module instances) has the same answer.
        if target not in self._located:
            self._located[target] = self._locate(target)
        return self._located[target]

    def _locate(self, target: Target) -> Location | None:
        directories = self._module_directories(target.module_path)
        if len(directories) == len(target.module_path) + 1:
            found = self._find(directories[-1], target.block)
            if found is not None:
                return self._location(*found)
        # Fall back to the innermost module call whose block can be found in its caller.
        for depth in range(len(directories) - 1, -1, -1):
            if depth >= len(target.module_path):
                continue
            found = self._find(directories[depth], ("module", target.module_path[depth]))
            if found is not None:
                return self._location(*found)
        # A block the configuration no longer has (a deletion): the root module's first file.
        return self.root_location()

    @cached_property
    def _root_location(self) -> Location | None:
        files = self._config_files(self.root)
        for path in files:
            if path.stem == "main":
                return self._location(path, 1)
        return self._location(files[0], 1) if files else None

    def root_location(self) -> Location | None:
        """Line 1 of the root module's main.tf, else of its first configuration file."""
        return self._root_location

    def _module_directories(self, path: tuple[str, ...]) -> list[Path]:
        """The directory of the root module, then of each module along `path` that resolves."""
        found = [self.root]
        for depth in range(1, len(path) + 1):
            directory = self._module_directory(found[-1], path[:depth])
            if directory is None:
                break
            found.append(directory)
        return found

    def _module_directory(self, caller: Path, path: tuple[str, ...]) -> Path | None:
        """Where the module at `path` lives, when that is a directory inside the boundary."""
        if path in self._directories:
            return self._directories[path]
        source = self.sources.get(path)
        candidate: Path | None = None
        if source is not None and is_local_source(source):
            candidate = caller / source
        else:
            installed = self.manifest().get(".".join(path))
            if installed is not None:
                candidate = self.root / installed
        directory = None
        if candidate is not None:
            candidate = Path(_normalise(candidate))
            if self._inside(candidate) and candidate.is_dir():
                directory = candidate
        self._directories[path] = directory
        return directory

    def manifest(self) -> dict[str, str]:
        """`.terraform/modules/modules.json`: module key (`a.b`) → installed directory."""
        if self._manifest is None:
            path = self.root / ".terraform" / "modules" / "modules.json"
            self._manifest = read_manifest(path) if self._inside(path) else {}
        return self._manifest

    def _inside(self, path: Path) -> bool:
        """Whether `path`, with every symlink resolved, lies inside the boundary."""
        return resolves_inside(path, self._boundary)

    def _config_files(self, directory: Path) -> list[Path]:
        files = self._files.get(directory)
        if files is None:
            files = [path for path in config_files(directory) if self._inside(path)]
            self._files[directory] = files
        return files

    def _find(self, directory: Path, key: BlockKey) -> tuple[Path, int] | None:
        index = self._blocks.get(directory)
        if index is None:
            index = {}
            for path in self._config_files(directory):
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                for block, line in block_lines(text).items():
                    index.setdefault(block, (path, line))
            self._blocks[directory] = index
        return index.get(key)

    def _location(self, path: Path, line: int) -> Location:
        assert self.base is not None  # set in __post_init__
        return Location(file=relative_file(path, self.base), line=line)


def _normalise(path: Path) -> str:
    """Collapse `..` without resolving symlinks (code scanning does not follow them)."""
    return os.path.normpath(os.path.abspath(path))


def _is_within(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def resolves_inside(path: Path, real_directory: Path) -> bool:
    """Whether `path`, with every symlink resolved, lies inside `real_directory` (itself
    already resolved): the one test of what tfgate may read of a repository."""
    return _is_within(Path(os.path.realpath(path)), real_directory)


def relative_file(path: Path, base: Path) -> str:
    """`path` relative to `base` with `/` separators; never absolute.

    The path as written is preferred (a symlinked directory inside the repository keeps its
    name); when only the resolved paths share `base`, those are used; a path outside `base`
    altogether is reduced to its file name.
    """
    absolute = Path(_normalise(path))
    for candidate, directory in (
        (absolute, Path(_normalise(base))),
        (Path(os.path.realpath(absolute)), Path(os.path.realpath(base))),
    ):
        if _is_within(candidate, directory) and candidate != directory:
            return candidate.relative_to(directory).as_posix()
    return absolute.name


STDIN = "<stdin>"


def plan_location(plan_name: str, base: Path) -> Location:
    """Line 1 of the plan file, relative to `base`: where a finding with no source is shown."""
    if plan_name in ("-", STDIN):
        return Location(file=STDIN, line=1)
    return Location(file=relative_file(Path(plan_name), base), line=1)


def locate_findings(findings: Iterable[Finding], source_map: SourceMap) -> tuple[Finding, ...]:
    """Each finding with the location of its block, its module call or the root module."""
    located = []
    for finding in findings:
        if finding.location is None:
            found = source_map.locate(finding.address)
            if found is not None:
                finding = dataclasses.replace(finding, location=found)
        located.append(finding)
    return tuple(located)


def read_manifest(path: Path) -> dict[str, str]:
    """Module keys and directories from a modules.json; empty when absent or unreadable."""
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    modules = document.get("Modules") if isinstance(document, dict) else None
    found: dict[str, str] = {}
    for entry in modules if isinstance(modules, list) else ():
        if isinstance(entry, dict):
            key, directory = entry.get("Key"), entry.get("Dir")
            if isinstance(key, str) and key and isinstance(directory, str):
                found[key] = directory
    return found


def source_map_for_plan(
    plan_file: Path,
    source_dir: Path | None,
    base: Path | None,
    sources: Mapping[tuple[str, ...], str],
) -> SourceMap:
    """A source map for one plan file; the root module defaults to the plan file's directory.

    `sources` is the plan's `Plan.module_sources`: the file is not read again.
    """
    root = source_dir if source_dir is not None else plan_file.parent
    return SourceMap(root=Path(_normalise(root)), sources=sources, base=base)
