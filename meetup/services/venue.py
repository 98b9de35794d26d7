"""A laptop at a venue without internet: which address phones use, and can they reach it.

The laptop is the server. Phones on the venue's Wi-Fi reach it at its address on that network
(the LAN address), so the QR code must point there, never to ``localhost``. This module finds
that address among the laptop's interfaces and tests whether the listening server answers
from a second address (a guest Wi-Fi that isolates its clients lets no phone through).

Plain functions over plain data: the interfaces are passed in (``local_interfaces`` reads the
real ones with psutil), so every choice can be tested with made-up interfaces.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: Interfaces that are never the venue's network: containers, VPN tunnels, virtual bridges.
VIRTUAL_PREFIXES = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap", "wg",
                    "utun", "llw", "awdl", "zt", "tailscale", "lxc", "lxd", "cni", "flannel")

#: A documentation address (TEST-NET-2): asking the kernel for the route to it tells which
#: interface carries the default route. A UDP "connect" sends no packet.
ROUTE_PROBE_TARGET = "198.51.100.1"


@dataclass(frozen=True)
class Interface:
    """One IPv4 address of one network interface of this machine."""

    name: str
    address: str

    @property
    def ip(self) -> ipaddress.IPv4Address:
        return ipaddress.IPv4Address(self.address)

    @property
    def usable(self) -> bool:
        """Not loopback, not link-local (169.254.x.x: no DHCP answer), not unspecified."""
        ip = self.ip
        return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified
                    or ip.is_multicast)

    @property
    def virtual(self) -> bool:
        return self.name.lower().startswith(VIRTUAL_PREFIXES)


@dataclass(frozen=True)
class AddressChoice:
    """The address phones should use, how it was found, and the other candidates."""

    address: str
    interface: str | None
    #: "given" (--address), "default-route", "private", "other" or "none" (loopback only).
    how: str
    others: tuple[Interface, ...] = field(default=())

    @property
    def reachable_by_phones(self) -> bool:
        return self.how != "none"


def local_interfaces() -> list[Interface]:
    """This machine's IPv4 addresses, interface by interface, in the system's order."""
    import psutil

    found = []
    stats = psutil.net_if_stats()
    for name, addresses in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        for entry in addresses:
            if entry.family == socket.AF_INET and entry.address:
                found.append(Interface(name, entry.address))
    return found


def default_route_address(target: str = ROUTE_PROBE_TARGET) -> str | None:
    """The source address of the default route, or None when there is none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((target, 9))
        except OSError:  # no route at all: no network
            return None
        address = sock.getsockname()[0]
    return None if address in ("0.0.0.0", "") else address


def choose_address(interfaces: Sequence[Interface], default_source: str | None,
                   given: str | None = None) -> AddressChoice:
    """Pick the address phones should use.

    In order: the address given by the organiser; the address of the interface with the
    default route; the first private address of a real (non-virtual) interface; any usable
    address; else loopback (no network: phones cannot reach the laptop).
    """
    usable = [i for i in interfaces if i.usable]

    def others(chosen: str) -> tuple[Interface, ...]:
        return tuple(i for i in usable if i.address != chosen and not i.virtual)

    if given:
        name = next((i.name for i in interfaces if i.address == given), None)
        return AddressChoice(given, name, "given", others(given))
    by_default = next((i for i in usable if i.address == default_source), None)
    if by_default is not None:
        return AddressChoice(by_default.address, by_default.name, "default-route",
                             others(by_default.address))
    real = [i for i in usable if not i.virtual]
    private = next((i for i in real if i.ip.is_private), None)
    if private is not None:
        return AddressChoice(private.address, private.name, "private", others(private.address))
    anything = next(iter(real or usable), None)
    if anything is not None:
        return AddressChoice(anything.address, anything.name, "other",
                             others(anything.address))
    return AddressChoice("127.0.0.1", None, "none")


def public_url(address: str, port: int) -> str:
    """The URL the QR code points to (plain HTTP: a venue network has no certificate)."""
    return f"http://{address}" if port == 80 else f"http://{address}:{port}"


# -- can a second address reach the laptop? ---------------------------------------------------


@dataclass(frozen=True)
class ProbeResult:
    """One attempt to reach the listening server from ``source``."""

    source: str
    target: str
    ok: bool
    detail: str = ""


def probe(target: str, port: int, source: str, timeout: float = 3.0) -> ProbeResult:
    """Open a connection to ``target:port`` from the local address ``source`` and ask for
    ``/`` over HTTP: the way a phone on the same network would."""
    try:
        with socket.create_connection((target, port), timeout=timeout,
                                      source_address=(source, 0)) as sock:
            sock.sendall(f"HEAD / HTTP/1.0\r\nHost: {target}:{port}\r\n\r\n".encode())
            first = sock.recv(64)
    except OSError as error:
        return ProbeResult(source, target, False, error.strerror or str(error))
    if not first.startswith(b"HTTP/"):
        return ProbeResult(source, target, False, "no HTTP answer")
    return ProbeResult(source, target, True, first.split(b"\r\n")[0].decode("latin-1"))


def wait_until_listening(port: int, timeout: float = 30.0) -> bool:
    """Wait until something accepts connections on ``127.0.0.1:port`` (the server started)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def probe_sources(choice: AddressChoice, given: Iterable[str] = ()) -> list[str]:
    """The second addresses to test from: the ones given, else the laptop's other real
    addresses (a second interface on the same network), never the chosen one itself."""
    sources = [s for s in given if s]
    if sources:
        return sources
    return [i.address for i in choice.others if i.address != choice.address]


def isolation_suspected(results: Sequence[ProbeResult]) -> bool | None:
    """True when no probe got through, False when one did, None when nothing was tested."""
    if not results:
        return None
    return not any(r.ok for r in results)
