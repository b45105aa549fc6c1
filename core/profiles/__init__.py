"""Site profiles: everything that is specific to one site, as data.

A profile names the site's hosts, which URLs are articles (and where their id is),
and hints that help the parser find the article on the page. The parser reads a
profile; it never branches on a site's name. ``generic`` has no hints and finds the
article from the page's own structure. ``profile`` holds the type, one module per site
holds its profile, and ``registry`` looks them up.
"""

from core.profiles.profile import SiteProfile
from core.profiles.registry import PROFILES, all_host_aliases, get_profile, profile_for_url, profile_names

__all__ = ["PROFILES", "SiteProfile", "all_host_aliases", "get_profile", "profile_for_url", "profile_names"]
