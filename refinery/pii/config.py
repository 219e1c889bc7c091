"""The ``pii`` config section: which kinds of personal data to scrub and what to write instead."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from refinery.config import check

# Stable type ids, in the order stats report them.
PII_TYPES: tuple[str, ...] = ("email", "phone", "id_card", "bank_card", "ip", "url_credentials", "secret", "name")

DEFAULT_PLACEHOLDERS: dict[str, str] = {t: f"<{t.upper()}>" for t in PII_TYPES}

# Addresses that identify no one and fill code tutorials: loopback, "this network" (0/8, which also
# keeps versions such as 0.9.1.2), and the reserved 240/4 block (broadcast, netmasks 255.255.x.x).
DEFAULT_IP_ALLOW: tuple[str, ...] = ("127.0.0.0/8", "0.0.0.0/8", "240.0.0.0/4", "::1/128", "::/128")


@dataclass
class PiiConfig:
    """``types``: the kinds to scrub (see ``PII_TYPES``); ``placeholders``: per-type replacement text,
    merged over ``<EMAIL>``-style defaults; ``ip_allow``: networks (CIDR) whose addresses stay."""

    types: list[str] = field(default_factory=lambda: list(PII_TYPES))
    placeholders: dict[str, str] = field(default_factory=dict)
    ip_allow: list[str] = field(default_factory=lambda: list(DEFAULT_IP_ALLOW))

    def __post_init__(self):
        check(len(self.types) > 0, "types", "empty; leave the pii step out instead")
        for i, t in enumerate(self.types):
            check(t in PII_TYPES, f"types[{i}]", f"unknown PII type {t!r} (known: {list(PII_TYPES)})")
        check(len(set(self.types)) == len(self.types), "types", f"listed twice in {self.types}")
        for t, text in self.placeholders.items():
            check(t in PII_TYPES, f"placeholders.{t}", f"unknown PII type (known: {list(PII_TYPES)})")
            check(isinstance(text, str), f"placeholders.{t}", f"expected a string, got {text!r}")
        self.placeholders = {**DEFAULT_PLACEHOLDERS, **self.placeholders}
        for i, cidr in enumerate(self.ip_allow):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                check(False, f"ip_allow[{i}]", f"{cidr!r} is not an IP network (e.g. 10.0.0.0/8)")
