"""Recipient addresses: who a party is, what an address on each channel looks like, how it is masked. Pure."""

from __future__ import annotations

import re

from ringfence.auth.rules import mask_phone
from ringfence.notifications.models import Channel

PARTY_KINDS = ("area", "user", "department", "enterprise")
PARTY_FORMAT = "area:<area_id>, user:<username>, department:<name> or enterprise:<enterprise_id>"

_PARTY = re.compile(rf"^(?:{'|'.join(PARTY_KINDS)}):[^\x00-\x1f\x7f]+$")
# a practical subset of RFC 5321: dot-atom local part, dotted host name with a top-level label
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_PHONE = re.compile(r"^\+?[0-9]{5,15}$")  # E.164 allows at most 15 digits
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def check_party(party: str) -> str:
    """The party as given, or ValueError naming the accepted forms."""
    if not _PARTY.match(party) or party.strip() != party:
        raise ValueError(f"party is one of {PARTY_FORMAT}")
    return party


def normalized_address(channel: Channel, address: str) -> str:
    """The address as it will be stored (e-mail domain in lower case, phone without separators), or ValueError."""
    text = address.strip()
    if channel is Channel.email:
        if len(text) > 200 or not _EMAIL.match(text):
            raise ValueError("an email address looks like name@example.org")
        local, _, domain = text.rpartition("@")
        return f"{local}@{domain.lower()}"
    digits = _PHONE_SEPARATORS.sub("", text)
    if not _PHONE.match(digits):
        raise ValueError("an sms address is a phone number: 5 to 15 digits, optionally after a +")
    return digits


def mask_address(channel: Channel, address: str) -> str:
    """`13812341234` → `138****1234`; `liu.wei@example.org` → `l***@example.org`."""
    if channel is Channel.sms:
        return mask_phone(address) or ""
    local, at, domain = address.rpartition("@")
    if not at:
        return "*" * len(address)
    return f"{local[:1]}***@{domain}"
