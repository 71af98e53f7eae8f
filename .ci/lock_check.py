"""Fail when pyproject.toml asks for a package that requirements.lock does not pin (run `make lock`).

Usage: python .ci/lock_check.py [pyproject.toml] [requirements.lock]. Exit 1 with the missing names.
"""

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def required(pyproject: Path) -> set[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    wanted = list(project.get("dependencies", []))
    for extra in ("test", "dev"):
        wanted += project.get("optional-dependencies", {}).get(extra, [])
    return {canonicalize_name(Requirement(spec).name) for spec in wanted}


def pinned(lock: Path) -> set[str]:
    names = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==", lock.read_text(), re.MULTILINE)
    return {canonicalize_name(name) for name in names}


def main() -> int:
    pyproject = Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml")
    lock = Path(sys.argv[2] if len(sys.argv) > 2 else "requirements.lock")
    missing = sorted(required(pyproject) - pinned(lock))
    if missing:
        print(f"{lock} does not pin {', '.join(missing)} that {pyproject} asks for: run `make lock`.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
