"""Run ``healthcrawl`` in a subprocess, as a user or cron would (Twisted's reactor runs
once per process, so every crawl gets its own)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str
    out: Path

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.out / "latest" / "manifest.json").read_text())  # type: ignore[no-any-return]

    @property
    def stats(self) -> dict[str, Any]:
        return self.manifest["crawl_stats"]  # type: ignore[no-any-return]


def healthcrawl(*args: str, out: Path, timeout: float = 240, env: dict[str, str] | None = None) -> CliRun:
    command = [sys.executable, "-m", "crawler", *args, "--out", str(out)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env=env)
    return CliRun(done.returncode, done.stdout, done.stderr, out)
