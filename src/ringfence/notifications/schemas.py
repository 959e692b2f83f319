"""Notification recipients as the API and the CLI show them: addresses masked unless the role needs them."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator, model_validator

from ringfence.auth import rules as auth_rules
from ringfence.notifications import rules
from ringfence.notifications.models import Channel, Recipient
from ringfence.tasks.schemas import CommandInput


class RecipientCreate(CommandInput):
    party: str = Field(min_length=3, max_length=200, description=f"who: {rules.PARTY_FORMAT}")
    channel: Channel
    address: str = Field(min_length=1, max_length=200, description="an email address, or a phone number for sms")

    @field_validator("party")
    @classmethod
    def _known_party(cls, party: str) -> str:
        return rules.check_party(party)

    @model_validator(mode="after")
    def _address_fits_its_channel(self) -> RecipientCreate:
        self.address = rules.normalized_address(self.channel, self.address)
        return self


class RecipientFilter(CommandInput):
    party: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
    channel: Channel | None = None


class RecipientRead(BaseModel):
    recipient_id: int
    party: str
    channel: Channel
    address: str = Field(description="masked (138****1234, l***@example.org) unless the role needs it")

    @classmethod
    def shown_to(cls, recipient: Recipient, scope: auth_rules.Scope) -> RecipientRead:
        """The recipient as the caller may see it: officials' addresses are identifiers like a resident's phone."""
        unmasked = scope.can(auth_rules.Permission.PERSON_READ_IDENTIFIERS)
        address = recipient.address if unmasked else rules.mask_address(recipient.channel, recipient.address)
        return cls(recipient_id=recipient.recipient_id, party=recipient.party, channel=recipient.channel,
                   address=address)
