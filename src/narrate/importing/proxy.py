"""Which proxy a fetch goes through, read from the environment the way curl and requests read it.

- ``http_proxy`` for http addresses, ``https_proxy`` for https ones, ``all_proxy`` for either when
  the scheme's own is not set; the lower-case name first, then the upper-case one. ``HTTP_PROXY``
  in upper case is not read when ``REQUEST_METHOD`` is set (under CGI a request's ``Proxy:``
  header arrives as ``HTTP_PROXY``: "httpoxy").
- A proxy named without a scheme is an http one (``proxy.example:3128``). Its user and password,
  if the address carries them, are sent to it as Basic ``Proxy-Authorization``.
- ``no_proxy`` (or ``NO_PROXY``): a comma- or space-separated list of hosts reached directly.
  ``*`` is every host; ``example.org``, ``.example.org`` and ``*.example.org`` match that host
  and every name under it; an IP address or a network (``10.0.0.0/8``) matches an address
  written in the URL; an entry with ``:port`` matches only that port.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Proxy:
    url: str  # "http://proxy.example:3128", without user and password
    headers: dict[str, str]  # Proxy-Authorization when the address named a user


def proxy_for(url: str, environ: Mapping[str, str] | None = None) -> Proxy | None:
    """The proxy for ``url`` (an http or https address), or None to connect directly."""
    env = os.environ if environ is None else environ
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    port = parts.port or (443 if scheme == "https" else 80)
    if bypassed(host, port, _env(env, "no_proxy")):
        return None
    value = _env(env, f"{scheme}_proxy") or _env(env, "all_proxy")
    return parse(value) if value else None


def parse(value: str) -> Proxy:
    """A proxy setting as the environment writes it; ValueError for one that is not http(s)."""
    value = value.strip()
    if "://" not in value:
        value = f"http://{value}"
    parts = urllib.parse.urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"only http and https proxies are supported, not {value.split('://')[0]}://")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    address = f"{parts.scheme.lower()}://{host}" + (f":{parts.port}" if parts.port else "")
    headers = {}
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username) + ":" + urllib.parse.unquote(parts.password or "")
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(user.encode("utf-8")).decode("ascii")
    return Proxy(address, headers)


def bypassed(host: str, port: int, no_proxy: str) -> bool:
    """Whether ``host`` (lower case, no brackets) is reached directly under the ``no_proxy`` list."""
    for entry in no_proxy.replace(",", " ").split():
        entry = entry.strip().lower()
        if entry == "*":
            return True
        name, entry_port = _split_port(entry)
        if entry_port is not None and entry_port != port:
            continue
        if _matches(host, name):
            return True
    return False


def _matches(host: str, name: str) -> bool:
    try:
        network = ipaddress.ip_network(name.strip("[]"), strict=False)
    except ValueError:
        name = name.removeprefix("*").lstrip(".").rstrip(".")
        return bool(name) and (host == name or host.endswith("." + name))
    try:
        return ipaddress.ip_address(host) in network
    except ValueError:
        return False  # a name is not matched by an address: nothing is looked up here


def _split_port(entry: str) -> tuple[str, int | None]:
    """("host", port) from "host:port", "[v6]:port" or a bare host or address (an IPv6 one has colons)."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        if port.isdigit():
            return host, int(port)
    return entry, None


def _env(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if value:
        return value
    if name == "http_proxy" and env.get("REQUEST_METHOD"):
        return ""  # httpoxy: under CGI, HTTP_PROXY is a request's header, not the user's setting
    return env.get(name.upper(), "").strip()
