"""The visitor's address, for rate limits, lockouts and the admin log-in throttle.

`X-Forwarded-For` is set by whoever sends the request, so it is believed only when the TCP peer
(`REMOTE_ADDR`) is one of the site's own proxies, listed in the `TRUSTED_PROXIES` setting (addresses or
networks, e.g. ``127.0.0.1`` for nginx on the same host, ``10.0.0.0/8`` for a load balancer). The chain
is then read from the right, skipping our own proxies: the first address that is not ours is the
client (what nginx's ``real_ip_recursive on`` does). With no trusted proxies, or a peer that is not
one, the header is ignored and the peer's address is used.

(django-ipware was considered: its trusted-proxy check matches the tail of the header itself, not the
peer, so a client that connects directly can still choose its own key.)
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in proxies if entry.strip())


def _parse(value: str):
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    if address is None:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address as text (``"unknown"`` when the peer's address is missing or malformed)."""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return UNKNOWN
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        address = _parse(entry)
        if address is None:
            break  # a malformed hop: nothing to the left of it can be trusted either
        if not _is_trusted(address, networks):
            return str(address)
        peer = address
    # Every hop was one of our proxies (or the header was empty): the left-most one we trust.
    return str(peer)


def axes_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: django-axes keys its log-in failures on the same address (None when there
    is none: Axes stores it in an IP address column)."""
    address = client_ip(request)
    return None if address == UNKNOWN else address
