"""Cheap validators for number-shaped candidates: Luhn, GB 11643 ID checksum, dates, card prefixes.

They run only on regex candidates (a handful per document), never over whole texts.
"""
from __future__ import annotations

import datetime
import re

_NON_DIGIT = re.compile(r"[^0-9Xx]")


def digits_of(s: str) -> str:
    """The ASCII digits (and an ``X``/``x`` check digit) of a candidate, separators dropped."""
    return _NON_DIGIT.sub("", s)


def luhn_ok(digits: str) -> bool:
    """ISO/IEC 7812-1 Luhn check (payment card numbers)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# GB 11643-1999: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 written as X.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# First two digits of a resident ID: the province-level division (GB/T 2260), plus
# 71 Taiwan, 81 Hong Kong, 82 Macau, 83 residence permits for Taiwan residents.
ID_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)

_TODAY = datetime.date(2026, 12, 31)


def id18_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def real_date(year: int, month: int, day: int) -> bool:
    try:
        d = datetime.date(year, month, day)
    except ValueError:
        return False
    return datetime.date(1900, 1, 1) <= d <= _TODAY


def id18_shaped(digits: str) -> bool:
    """Region and birth date of an 18-character ID are plausible (checksum not looked at)."""
    return (
        len(digits) == 18
        and digits[:2] in ID_PROVINCES
        and digits[:17].isdigit()
        and real_date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    )


def id18_ok(digits: str) -> bool:
    """18-character resident ID: plausible region and date, and the MOD 11-2 check digit matches."""
    return id18_shaped(digits) and id18_check_digit(digits[:17]) == digits[17].upper()


def id15_ok(digits: str) -> bool:
    """Legacy 15-digit ID (issued before 1999, born 19YY): region and a real birth date; no checksum."""
    return (
        len(digits) == 15
        and digits.isdigit()
        and digits[:2] in ID_PROVINCES
        and real_date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    )


def card_prefix_ok(digits: str) -> bool:
    """Issuer prefixes (ISO/IEC 7812 major industry identifier) of the card networks in use:
    3 (Amex 34/37, JCB 35, Diners 30/36/38/39), 4 (Visa), 5 (Mastercard, Maestro), 6 (UnionPay 62,
    Discover, Maestro), and the 2-series of Mir (2200-2204) and Mastercard (2221-2720)."""
    first = digits[0]
    if first in "3456":
        return True
    if first == "2":
        p4 = int(digits[:4])
        return 2200 <= p4 <= 2204 or 2221 <= p4 <= 2720
    return False


def bank_card_ok(digits: str) -> bool:
    """13-19 digits, a card network prefix, Luhn; never an ID-shaped number (an ID wins, and an
    18-digit ID-shaped number whose ID checksum fails is a look-alike, not a card)."""
    if not (13 <= len(digits) <= 19 and digits.isdigit() and card_prefix_ok(digits)):
        return False
    if len(digits) == 18 and id18_shaped(digits):
        return False
    if len(digits) == 15 and id15_ok(digits) and digits[:2] not in ("34", "37"):
        return False
    return luhn_ok(digits)
