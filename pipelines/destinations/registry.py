"""Destinations by name, the way Scrapy looks up ``FEED_STORAGES`` by URI scheme: the CLI's
``--to`` choices, the ``HEALTHCRAWL_DESTINATIONS`` setting and their defaults all come
from here.

A ``--to`` value is a registered name (``files``) or a URL whose scheme is one
(``postgresql://user@host:5432/db``). A class whose :meth:`~Destination.retract` is
missing cannot be registered: a destination that kept superseded articles would publish
two rows for one article, silently.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from pipelines.destinations.base import Destination, DestinationOptions

DESTINATIONS: dict[str, type[Destination]] = {}
"""Registered destination classes by name."""
BUILTIN = {"files": "pipelines.destinations.files", "postgresql": "pipelines.destinations.postgres"}
"""The built-in destinations by name, and the module that registers each: imported when a
run names one, so a run to files never loads a database driver (psycopg is a tenth of a
second of every process's start)."""
SCHEME_ALIASES = {"postgres": "postgresql"}
"""URL schemes that name the same destination as another (libpq takes both)."""
DEFAULT_DESTINATIONS = ("files",)
"""Where a run goes unless told (``--to``, ``HEALTHCRAWL_DESTINATIONS``)."""
FILE_FORMATS = ("csv", "parquet", "jsonl")
"""Formats of the ``files`` destination; ``jsonl`` writes the nested records."""
DEFAULT_FORMATS = FILE_FORMATS
"""What ``files`` writes unless told (``--format``, ``HEALTHCRAWL_EXPORT_FORMATS``)."""


def register(cls: type[Destination]) -> type[Destination]:
    """Class decorator: make ``cls`` a ``--to`` choice under ``cls.name``. ``TypeError``
    for a class that cannot retract or is still abstract, or a name taken by another."""
    retract = getattr(cls, "retract", None)
    if not callable(retract) or getattr(retract, "__isabstractmethod__", False):
        raise TypeError(f"destination {cls.__name__} cannot retract superseded articles: "
                        "it would keep two rows for one article; implement retract()")
    abstract = sorted(getattr(cls, "__abstractmethods__", ()))
    if abstract:
        raise TypeError(f"destination {cls.__name__} does not implement {', '.join(abstract)}")
    known = DESTINATIONS.get(cls.name)
    if known is not None and known is not cls:
        raise TypeError(f"destination name {cls.name!r} is taken by {known.__name__}")
    DESTINATIONS[cls.name] = cls
    return cls


def destination_name(spec: str) -> str:
    """The registry name ``spec`` stands for: itself, or its URL scheme."""
    if "://" not in spec and ":" not in spec:
        return spec
    scheme = urlsplit(spec).scheme.lower()
    return SCHEME_ALIASES.get(scheme, scheme)


def check_destinations(specs: Sequence[str]) -> tuple[str, ...]:
    """The specs without repeats, or ``ValueError`` naming an unknown or empty choice."""
    specs = [spec.strip() for spec in specs if spec.strip()]
    if not specs:
        raise ValueError(f"no destination given: use {choices()}")
    for spec in specs:
        if _registered(destination_name(spec)) is None:
            raise ValueError(f"unknown destination {mask(spec)!r}: use {choices()}")
    return tuple(dict.fromkeys(specs))


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The formats without repeats, or ``ValueError`` naming an unknown or empty choice."""
    unknown = sorted(set(formats) - set(FILE_FORMATS))
    if unknown or not formats:
        raise ValueError(f"export formats must be a non-empty subset of {FILE_FORMATS}, got {formats}")
    return tuple(dict.fromkeys(formats))


def build(spec: str, options: DestinationOptions) -> Destination:
    """The destination ``spec`` stands for (checked by :func:`check_destinations` first)."""
    registered = _registered(destination_name(spec))
    if registered is None:
        raise ValueError(f"unknown destination {mask(spec)!r}: use {choices()}")
    return registered.from_spec(spec, options)


def choices() -> str:
    """The ``--to`` choices in words."""
    names = dict.fromkeys([*BUILTIN, *DESTINATIONS])
    return ", ".join(name if name == "files" else f"{name}://..." for name in names)


def mask(spec: str) -> str:
    """``spec`` with any password in it (``user:secret@``, ``?password=secret``) replaced
    by ``***``: what logs, errors and manifests show of a ``--to``."""
    if "://" not in spec:
        return spec
    parts = urlsplit(spec)
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:***@{host}"
    query = _PASSWORD_PARAM.sub(r"\1***", parts.query)
    return parts._replace(netloc=netloc, query=query).geturl()


_PASSWORD_PARAM = re.compile(r"((?:^|&)password=)[^&]*")


def _registered(name: str) -> type[Destination] | None:
    """The class registered as ``name``, importing its built-in module at first use."""
    if name not in DESTINATIONS and name in BUILTIN:
        importlib.import_module(BUILTIN[name])
    return DESTINATIONS.get(name)
