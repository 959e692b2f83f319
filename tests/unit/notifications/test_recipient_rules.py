"""Recipient addresses: checked per channel, normalised, and masked unless the role needs them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ringfence.auth.rules import Role, Scope
from ringfence.notifications import rules
from ringfence.notifications.models import Channel, Recipient
from ringfence.notifications.schemas import RecipientCreate, RecipientRead


@pytest.mark.parametrize(("channel", "given", "stored"), [
    (Channel.email, " Liu.Wei+duty@Example.ORG ", "Liu.Wei+duty@example.org"),
    (Channel.sms, "138 1234-5678", "13812345678"),
    (Channel.sms, "+86 (138) 1234 5678", "+8613812345678"),
])
def test_it_stores_addresses_in_one_form(channel, given, stored) -> None:
    assert rules.normalized_address(channel, given) == stored


@pytest.mark.parametrize(("channel", "address"), [
    (Channel.email, "liu"), (Channel.email, "liu@"), (Channel.email, "@example.org"), (Channel.email, "liu@example"),
    (Channel.email, "li u@example.org"), (Channel.email, "liu..wei@example.org"), (Channel.email, "liu@-x.org"),
    (Channel.sms, "1234"), (Channel.sms, "1234567890123456"), (Channel.sms, "13812345678x"),
    (Channel.sms, "++8613812345678"), (Channel.sms, "liu@example.org"),
])
def test_it_refuses_an_address_that_does_not_fit_its_channel(channel, address) -> None:
    with pytest.raises(ValueError):
        rules.normalized_address(channel, address)


def test_the_schema_names_the_problem_in_one_line() -> None:
    with pytest.raises(ValidationError) as refused:
        RecipientCreate(party="area:S1", channel="sms", address="call me")
    [error] = refused.value.errors()
    assert "phone number" in error["msg"] and "\n" not in error["msg"]


@pytest.mark.parametrize("party", ["area:S1", "user:official.liu", "department:health", "enterprise:E1"])
def test_it_knows_the_four_kinds_of_party(party) -> None:
    assert rules.check_party(party) == party


@pytest.mark.parametrize("party", ["S1", "area:", "city:C", " area:S1", "area:S\x001"])
def test_it_refuses_other_parties(party) -> None:
    with pytest.raises(ValueError):
        rules.check_party(party)


def test_it_masks_phones_and_the_local_part_of_emails() -> None:
    assert rules.mask_address(Channel.sms, "13812345678") == "138****5678"
    assert rules.mask_address(Channel.email, "liu.wei@example.org") == "l***@example.org"


def test_roles_that_need_identifiers_see_addresses_in_full_the_others_masked() -> None:
    recipient = Recipient(recipient_id=1, party="area:S1", channel=Channel.sms, address="13812345678")
    district = Scope(actor="d", role=Role.district, subtree="/C/D1/")
    assert RecipientRead.shown_to(recipient, district).address == "13812345678"
    for role in (Role.commander, Role.admin):
        assert RecipientRead.shown_to(recipient, Scope(actor="x", role=role, subtree=None)).address == "138****5678"
