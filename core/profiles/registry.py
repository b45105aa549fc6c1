"""The registered profiles by name, and how a site or URL finds its profile."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import urlsplit

from core.errors import UnknownSiteError
from core.profiles.demo import DEMO
from core.profiles.generic import GENERIC
from core.profiles.keepto import KEEPTO
from core.profiles.profile import SiteProfile

PROFILES: Mapping[str, SiteProfile] = MappingProxyType({p.name: p for p in (KEEPTO, DEMO, GENERIC)})


def get_profile(name: str) -> SiteProfile:
    """The registered profile called ``name``; :class:`UnknownSiteError` names the choices."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownSiteError(name, sorted(PROFILES)) from None


def profile_for_url(url: str) -> SiteProfile:
    """The profile whose hosts (or host aliases) serve ``url``; ``generic`` for any other."""
    host = (urlsplit(url).hostname or "").lower()
    for profile in PROFILES.values():
        if host in profile.hosts or host in profile.host_aliases:
            return profile
    return PROFILES["generic"]


def all_host_aliases() -> Mapping[str, str]:
    """Every registered alias host -> canonical host: one map serves the request
    fingerprint, which must not depend on which spider runs."""
    return MappingProxyType({k: v for p in PROFILES.values() for k, v in p.host_aliases.items()})


def profile_names() -> list[str]:
    """Names of all registered profiles, sorted."""
    return sorted(PROFILES)
