"""The README's set-up is what CI runs, the licence matches the metadata, and the sdist holds
every file the test suite reads."""

from __future__ import annotations

import re
import tomllib

from tests.paths import ROOT

TEST_COMMAND = "ruff check . && ruff format --check . && mypy && pytest"


def setup_block() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, "the set-up section shows its commands in a sh block"
    return match.group(1).splitlines()


def test_the_readme_shows_the_venv_install_and_test_commands() -> None:
    venv, install, test = setup_block()
    assert venv == "python3 -m venv .venv && . .venv/bin/activate"
    assert install == "pip install -e '.[test]'"
    assert test == TEST_COMMAND
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11 or later" in readme
    assert "../shared" in readme


def test_ci_runs_exactly_the_readme_commands_in_its_own_venv() -> None:
    lines = [
        line
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    venv, install, test = setup_block()
    assert venv in lines
    assert install in lines
    assert lines[-1] == test
    assert not any(re.match(r"python\b", line) for line in lines), "CI uses python3"


def test_the_licence_matches_the_metadata() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_the_sdist_holds_what_the_tests_read() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = set(config["tool"]["hatch"]["build"]["targets"]["sdist"]["include"])
    needed = {
        "tfgate",
        "profiles",
        "fixtures",
        "tests",
        "bench",
        "docs",
        ".ci",
        "action.yml",
        ".pre-commit-hooks.yaml",
        "requirements.lock",
        "README.md",
        "LICENSE",
    }
    assert needed <= included
    for name in included:
        assert (ROOT / name).exists(), name


def test_the_lock_pins_every_dependency_with_hashes() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = dict(re.findall(r"^([a-z0-9._-]+)==(\S+) \\$", lock, re.MULTILINE))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower()
        assert name in pinned, f"{name} is not in requirements.lock"
    blocks = re.split(r"\n(?=[a-z0-9])", lock.split("\n\n", 1)[-1])
    for block in blocks:
        if "==" in block:
            assert "--hash=sha256:" in block, block.splitlines()[0]
    assert "--index-url" not in lock and "--find-links" not in lock
