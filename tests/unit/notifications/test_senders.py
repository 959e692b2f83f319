"""The senders: SMTP and the SMS gateway speak their protocols; nothing is configured by default."""

from __future__ import annotations

import httpx

from ringfence.notifications import service
from ringfence.notifications.models import Channel


def test_nothing_is_sent_unless_configured(monkeypatch) -> None:
    for name in ("RINGFENCE_NOTIFY_SMTP_HOST", "RINGFENCE_NOTIFY_SMS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert service.configured_senders().by_channel == {}


def test_the_environment_configures_both_channels(monkeypatch) -> None:
    monkeypatch.setenv("RINGFENCE_NOTIFY_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("RINGFENCE_NOTIFY_SMS_URL", "https://sms.example.org/send")
    senders = service.configured_senders()
    assert isinstance(senders.by_channel[Channel.email], service.SmtpNotifier)
    assert senders.by_channel[Channel.sms].url == "https://sms.example.org/send"


def test_smtp_sends_one_message_after_starttls_and_login(monkeypatch) -> None:
    seen: list[tuple] = []

    class FakeSmtp:
        def __init__(self, host, port, timeout):
            seen.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self) -> None:
            seen.append(("starttls",))

        def login(self, user, password) -> None:
            seen.append(("login", user, password))

        def send_message(self, message) -> None:
            seen.append(("send", message["To"], message["Subject"], message.get_content().strip()))

    monkeypatch.setattr(service.smtplib, "SMTP", FakeSmtp)
    notifier = service.SmtpNotifier(host="mail", port=2525, user="u", password="p")
    notifier.send(to="a@example.org", subject="Task 3 raised", body="overdue")
    assert seen == [("connect", "mail", 2525), ("starttls",), ("login", "u", "p"),
                    ("send", "a@example.org", "Task 3 raised", "overdue")]


def test_the_sms_gateway_gets_json_with_a_bearer_token(monkeypatch) -> None:
    calls = []

    def fake_post(url, json, headers, timeout):
        calls.append((url, json, headers))
        return httpx.Response(200, request=httpx.Request("POST", url))

    monkeypatch.setattr(httpx, "post", fake_post)
    service.SmsGatewayNotifier(url="https://sms/send", token="t0k").send(to="138", subject="S", body="B")
    assert calls == [("https://sms/send", {"to": "138", "text": "S: B"}, {"Authorization": "Bearer t0k"})]
