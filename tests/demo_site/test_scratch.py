"""A demo killed with SIGKILL leaves its temporary site; the next demo removes it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crawler.demo_site.scratch import OWNER, PREFIX, remove_dead_scratch


def scratch(parent: Path, name: str, owner: int | None) -> Path:
    folder = parent / f"{PREFIX}{name}"
    (folder / "site").mkdir(parents=True)
    if owner is not None:
        (folder / OWNER).write_text(str(owner))
    return folder


def test_the_folder_of_a_demo_that_died_is_removed_and_the_others_are_kept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    gone = scratch(tmp_path, "gone", int(dead.stdout))
    running = scratch(tmp_path, "running", os.getpid())
    unknown = scratch(tmp_path, "unknown", None)
    assert remove_dead_scratch(tmp_path) == [gone]
    assert not gone.exists() and running.exists() and unknown.exists()
