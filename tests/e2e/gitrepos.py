"""Real git repositories for the tests, made with git itself."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Mapping

GIT_IDENTITY = ("-c", "user.name=Scribe Tests", "-c", "user.email=tests@scribe.invalid")


def _git(repo: Path, *args: str) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        # The machine's and the user's git settings must not change what the tests make.
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
    }
    result = subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def python_module(name: str) -> dict[str, str]:
    """A small Python package for module `name`: a documented function and class."""
    return {
        "__init__.py": f'"""The {name} module of the demo project."""\n',
        f"{name}_api.py": (
            f'"""Public functions of {name}."""\n\n\n'
            f"def {name}_entry(value):\n"
            f'    """Returns value after {name} has looked at it."""\n'
            "    return value\n\n\n"
            f"class {name.capitalize()}Service:\n"
            f'    """Keeps the state of {name}."""\n\n'
            "    def run(self):\n"
            '        """Runs once."""\n'
            "        return True\n"
        ),
    }


def make_git_repo(
    parent: Path,
    modules: Mapping[str, Mapping[str, str] | None] | None = None,
    name: str = "demo",
    readme: str | None = None,
    extra_commits: int = 0,
    branch: str = "main",
) -> Path:
    """Creates parent/name as a git repository with one top-level folder per module.

    modules maps a module's name to its files ({relative path: text}); None gives the
    module a small documented Python package (python_module). Without modules the
    repository has `core` and `storage`. extra_commits adds commits after the first,
    so that HEAD is not the root commit. Returns the repository's path.
    """
    if modules is None:
        modules = {"core": None, "storage": None}
    repo = parent / name
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", branch)

    files: dict[str, str] = {
        "README.md": readme if readme is not None else f"# {name}\n\nA demo project with modules: {', '.join(modules)}.\n",
    }
    for module, module_files in modules.items():
        for rel, text in (module_files if module_files is not None else python_module(module)).items():
            files[f"{module}/{rel}"] = text
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Initial commit")
    for i in range(extra_commits):
        with open(repo / "README.md", "a") as f:
            f.write(f"\nChange {i + 1}.\n")
        _git(repo, "commit", "-q", "-am", f"Change {i + 1}")
    return repo


def head_commit(repo: Path) -> str:
    return _git(repo, "rev-parse", "HEAD")
