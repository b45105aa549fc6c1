"""The healthcrawl command: one test per documented exit code, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.cli import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NOT_PUBLISHED,
    EXIT_OK,
    _report,
    main,
)
from crawler.run import CrawlResult
from pipelines.export import ERROR, OUTCOME
from tests.parsing.golden import golden_page

SEED = "01-seed-lips-twitching"


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.html"
    path.write_bytes(golden_page(SEED).html)
    return path


def test_parse_prints_the_record_as_json(seed_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(seed_file), "--url", golden_page(SEED).url]) == EXIT_OK
    record = json.loads(capsys.readouterr().out)
    assert record["article_key"] == "keepto:60636"
    assert record["prevention"] == golden_page(SEED).expected["prevention"]


def test_parse_with_site_uses_that_profile(seed_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(seed_file), "--site", "keepto"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["site"] == "keepto"


def bad_input_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    text = tmp_path / "notes.txt"
    text.write_text("just some notes, no markup at all\n")
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>T</h1></body></html>")
    return {
        "missing file": (["parse", str(tmp_path / "nope.html")], "no such file"),
        "directory": (["parse", str(tmp_path)], "is a directory"),
        "empty file": (["parse", str(empty)], "empty file"),
        "binary file": (["parse", str(binary)], "binary"),
        "non-html file": (["parse", str(text)], "not an HTML document"),
        "unknown site": (["parse", str(page), "--site", "nosuchsite"], "unknown site"),
        "url without host": (["parse", str(page), "--url", "http:///p/1.html"], "no valid URL"),
        "url with bad port": (["parse", str(page), "--url", "http://x.org:99999/"], "no valid URL"),
        "resume of a distributed run": (["crawl", "--redis", "redis://127.0.0.1:9/0", "--resume",
                                         "--out", str(tmp_path / "out")], "--resume is one-process only"),
        "state dir of a worker": (["crawl", "--redis", "redis://127.0.0.1:9/0", "--state-dir",
                                   str(tmp_path / "state"), "--out", str(tmp_path / "out")],
                                  "workers never open the state store"),
    }


@pytest.mark.parametrize(
    "case", ["missing file", "directory", "empty file", "binary file", "non-html file", "unknown site",
             "url without host", "url with bad port", "resume of a distributed run", "state dir of a worker"]
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, message = bad_input_cases(tmp_path)[case]
    assert main(argv) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err
    assert "Traceback" not in captured.err


def test_help_documents_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "parse" in out and "Exit codes" in out


def test_missing_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == EXIT_BAD_INPUT


@pytest.mark.parametrize("case", ["a file", "latest a real folder"])
def test_an_out_folder_that_cannot_take_publications_exits_2_before_crawling(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    if case == "a file":
        out.write_text("not a folder")
    else:
        (out / "latest").mkdir(parents=True)
    assert main(["crawl", "--site", "generic", "--start-url", "http://127.0.0.1:9/", "--out", str(out)]) \
        == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--out {out}" in err and "Traceback" not in err


def test_version_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("healthcrawl 0.")


@pytest.mark.parametrize(
    ("reason", "outcome", "error", "code"),
    [
        ("finished", "published", None, EXIT_OK),
        ("closespider_pagecount", "partial", "stopped by a limit", EXIT_NOT_PUBLISHED),
        ("finished", "unhealthy", "0 articles, fewer than the 1", EXIT_NOT_PUBLISHED),
        ("finished", "failed", "publishing to out failed: No space left on device", EXIT_FAILED),
        ("shutdown", "discarded", "the crawl did not finish (shutdown)", EXIT_INTERRUPTED),
    ],
)
def test_each_outcome_of_a_run_has_its_exit_code_and_one_line(
    reason: str, outcome: str, error: str | None, code: int, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stats = {OUTCOME: outcome, **({ERROR: error} if error else {})}
    result = CrawlResult(reason, 1.0, stats)
    assert _report(result, tmp_path) == code
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"healthcrawl: {result.summary()}"  # every run ends with its summary
    if code == EXIT_OK:
        assert len(lines) == 1
    else:
        assert len(lines) == 2 and "nothing has been published" in lines[1]
        assert code == EXIT_INTERRUPTED or error in lines[1]


def test_the_summary_says_in_words_why_pages_were_not_exported() -> None:
    stats = {"healthcrawl/export/kept": 288, "healthcrawl/spider/failed/http_404": 4,
             "healthcrawl/spider/skipped/not_html": 1, "healthcrawl/spider/failed/http_503": 2,
             "healthcrawl/spider/failed/TimeoutError": 1, "log_count/ERROR": 0}
    summary = CrawlResult("finished", 2.0, stats).summary()
    assert "8 pages not exported: 4 not found (404), 2 HTTP 503, 1 not HTML (a PDF, an image), " \
           "1 timed out" in summary
    assert summary.startswith("288 articles") and "0 errors logged" in summary
