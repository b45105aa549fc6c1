"""Spider and CLI arguments as one typed, validated object: a bad ``-a`` fails at start
with one clear line, not halfway through a crawl."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from core.errors import InputError
from core.profiles import SiteProfile, get_profile


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlParams:
    profile: SiteProfile
    """The site profile (``-a site=NAME``): what is an article, where its parts are."""
    start_urls: tuple[str, ...]
    """Where the crawl starts (``-a start_url=URL``); default: the profile's start URLs."""

    @classmethod
    def from_args(cls, *, site: str = "keepto", start_url: str | None = None) -> CrawlParams:
        profile = get_profile(site)
        urls = tuple(u for u in (start_url or "").split(",") if u.strip()) or profile.start_urls
        if not urls:
            raise InputError(f"site {site!r} has no start URL: pass start_url=URL")
        for url in urls:
            parts = urlsplit(url.strip())
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise InputError(f"start URL must be an http(s) URL with a host: {url!r}")
        return cls(profile=profile, start_urls=tuple(u.strip() for u in urls))

    @property
    def allowed_hosts(self) -> list[str]:
        """Hosts the crawl may visit: the start URLs', the profile's and their aliases."""
        hosts = {urlsplit(u).hostname or "" for u in self.start_urls}
        hosts.update(self.profile.hosts, self.profile.host_aliases)
        return sorted(h for h in hosts if h)
