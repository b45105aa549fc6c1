"""The registered profiles by name (imported lazily to keep profile modules data-only)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from crawler.profiles import SiteProfile
from crawler.profiles.demo import DEMO
from crawler.profiles.generic import GENERIC
from crawler.profiles.keepto import KEEPTO

PROFILES: Mapping[str, SiteProfile] = MappingProxyType({p.name: p for p in (KEEPTO, DEMO, GENERIC)})
