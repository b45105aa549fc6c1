"""The profile for sites without one: no hints, the parser reads the page's structure."""

from __future__ import annotations

from crawler.profiles import SiteProfile

GENERIC = SiteProfile(name="generic")
