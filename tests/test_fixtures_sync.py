"""The in-repo copies of the shared ground truth (``golden/``, ``real-pages/`` and
``seed-article.txt`` under ``tests/fixtures``) are byte-for-byte those of a ``shared``
folder beside the repository. The project's own fixtures there (``more-real-pages/``) have
no shared original and are not compared.

The repository stands alone: the other tests read only ``tests/fixtures``. This module is
the one place that looks at ``../shared``, and only to catch the two copies drifting apart;
without it (a plain clone) there is nothing to compare and the tests are skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SYNCED = ("golden", "real-pages", "seed-article.txt")
"""What ``tests/fixtures`` copies from the shared folder; its other files (design notes,
hooks) are not test data."""

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"no shared folder beside the repository ({SHARED}): the in-repo fixtures "
           "under tests/fixtures are the only copy",
)


def files_under(root: Path, entries: tuple[str, ...] | None = None) -> set[str]:
    """Paths, relative to ``root`` and in POSIX form, of every file in ``entries`` (files
    or folders, walked recursively), or in all of ``root`` when ``entries`` is None."""
    tops = [root] if entries is None else [root / entry for entry in entries]
    found = {top for top in tops if top.is_file()}
    found |= {path for top in tops if top.is_dir() for path in top.rglob("*") if path.is_file()}
    return {path.relative_to(root).as_posix() for path in found}


def missing_copies(shared: Path, fixtures: Path) -> list[str]:
    return sorted(files_under(shared, SYNCED) - files_under(fixtures, SYNCED))


def differing_copies(shared: Path, fixtures: Path) -> list[str]:
    both = files_under(shared, SYNCED) & files_under(fixtures, SYNCED)
    return sorted(name for name in both
                  if (shared / name).read_bytes() != (fixtures / name).read_bytes())


def extra_copies(shared: Path, fixtures: Path) -> list[str]:
    return sorted(files_under(fixtures, SYNCED) - files_under(shared, SYNCED))


def test_every_shared_fixture_file_has_a_copy_in_the_repository() -> None:
    missing = missing_copies(SHARED, FIXTURES)
    assert not missing, f"in {SHARED} but not in {FIXTURES}: {missing}"


def test_every_copy_has_the_same_bytes_as_its_shared_original() -> None:
    differing = differing_copies(SHARED, FIXTURES)
    assert not differing, f"{FIXTURES} and {SHARED} differ in: {differing}"


def test_the_repository_fixtures_hold_no_file_the_shared_folder_lacks() -> None:
    extra = extra_copies(SHARED, FIXTURES)
    assert not extra, f"in {FIXTURES} but not in {SHARED}: {extra}"

