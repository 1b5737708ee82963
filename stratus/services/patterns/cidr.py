"""IP addresses and CIDR blocks, as Event Ruler reads them.

Event Ruler turns a CIDR into a range of addresses from the address as written (not
masked) to the address with its host bits set, and refuses /32 for IPv4 and /128 for
IPv6 ("mask bits must be < 32"). An event value matches when it is an IP address literal
of the same family inside the range; anything else (a number, a hostname, 10.0.0.256)
does not. A plain string in a pattern that is an IP address literal also matches the same
address written differently (``2001:db8::1`` and ``2001:0db8:0:0:0:0:0:1``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from stratus.services.patterns.errors import Refusal

# The shapes Event Ruler accepts before asking the address parser (no hostnames).
_IPV4 = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,3}){3}$")
_IPV6 = re.compile(r"^[0-9a-fA-F:]+(\.[0-9]{1,3}){0,3}$")


def looks_like_ip(text: str) -> bool:
    return bool(_IPV4.match(text) or (":" in text and _IPV6.match(text)))


def address(text: str) -> int | None:
    """The address ``text`` denotes as (family-tagged) integer, or None if not an IP."""
    if not looks_like_ip(text):
        return None
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return None
    return _tagged(parsed)


def _tagged(parsed: ipaddress.IPv4Address | ipaddress.IPv6Address) -> int:
    # IPv6 addresses live above every IPv4 one, so one integer range check serves both.
    return int(parsed) + (1 << 32 if parsed.version == 6 else 0)


@dataclass(frozen=True, slots=True)
class AddressRange:
    low: int
    high: int

    def contains(self, value: object) -> bool:
        if value.__class__ is not str:
            return False
        number = address(str(value))
        return number is not None and self.low <= number <= self.high


def parse_cidr(text: str) -> AddressRange:
    """Compile a ``cidr`` operand or raise Refusal with Event Ruler's sentence."""
    parts = text.split("/")
    if len(parts) != 2:
        raise Refusal("Malformed CIDR, one '/' required")
    base, bits_text = parts
    if not re.fullmatch(r"[+-]?[0-9]+", bits_text):
        raise Refusal("Malformed CIDR, mask bits must be an integer")
    bits = int(bits_text)
    if bits < 0:
        raise Refusal("Malformed CIDR, mask bits must not be negative")
    if not looks_like_ip(base):
        raise Refusal(f"Nonstandard IP address: {base}")
    try:
        parsed = ipaddress.ip_address(base)
    except ValueError:
        raise Refusal(f"Invalid IP address: {base}") from None
    width = 32 if parsed.version == 4 else 128
    if bits > width - 1:
        raise Refusal(f"IPv{parsed.version} mask bits must be < {width}")
    low = _tagged(parsed)
    host = (1 << (width - bits)) - 1
    return AddressRange(low=low, high=low | host)


def exact_address(text: str) -> AddressRange | None:
    """The one-address range of a plain pattern string that is an IP literal."""
    number = address(text)
    return None if number is None else AddressRange(low=number, high=number)
