"""One exception hierarchy for healthcrawl; the CLI maps each class to an exit code.

``retryable`` says whether running the same thing again can help (a network blip)
or not (bad input), so schedulers and the CLI can tell the two apart.
"""

from __future__ import annotations


class HealthcrawlError(Exception):
    """Base of every error healthcrawl raises on purpose."""

    exit_code = 1
    retryable = False


class InputError(HealthcrawlError):
    """The user gave something unusable: a missing, empty or non-HTML file, a bad flag."""

    exit_code = 2


class UnusableDocumentError(InputError):
    """The bytes are not an HTML document the parser can read (empty, binary)."""


class UnknownSiteError(InputError):
    """A site profile name that is not registered."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown site {name!r}; known sites: {', '.join(known)}")
        self.name = name


class RunLocked(HealthcrawlError):
    """Another run holds the output folder's lock; running again later can work."""

    exit_code = 75  # EX_TEMPFAIL (sysexits.h): a scheduler may retry
    retryable = True


class DestinationUnavailable(HealthcrawlError):
    """A destination of the run (a database) cannot be reached, refused the login, or
    holds tables this healthcrawl cannot write; running again can work once it is fixed."""

    exit_code = 69  # EX_UNAVAILABLE (sysexits.h)
    retryable = True


class FrontierUnavailable(HealthcrawlError):
    """The Redis server a distributed crawl shares (``--redis``) cannot be reached, at the
    start or mid-run; what was published stays, and running again once it is back works."""

    exit_code = 69  # EX_UNAVAILABLE (sysexits.h), as for a destination
    retryable = True
