"""Mail through a real SMTP server, read back with Python's `email` module.

Needs the SMTP sinks and the S3 server of scripts/integration-test: COMPTOIR_TEST_SMTP_URL and
COMPTOIR_TEST_SMTP_DIR (plain), COMPTOIR_TEST_SMTPS_URL, COMPTOIR_TEST_SMTPS_DIR and
COMPTOIR_TEST_SMTP_CA_FILE (STARTTLS and AUTH required), COMPTOIR_TEST_S3_* (templates live in the
blob store). The whole platform runs once per sink (the tests' parameter), with COMPTOIR_SMTP_URL
set. Every received message must parse without defects, with From, To, a decoded Subject, Date,
Message-ID and MIME-Version; the sink's envelope must say whether STARTTLS and AUTH were used.
"""

import email
import email.policy
import email.utils
import json
import os
import re
import time
import uuid

import pytest

from harness import eventually
from purchases import Shop

pytestmark = pytest.mark.servers

MAIL_FROM = "Comptoir Boutique <boutique@comptoir.test>"
CAMPAIGN_SUBJECT = "Soldes d’été — 20 % pour {{email}} 🎉"
SINKS = ["plain", "starttls-auth"]


class MailPlatform:
    def __init__(self, label, instance, sink_dir, tls, login):
        self.label, self.instance, self.sink_dir, self.tls, self.login = label, instance, sink_dir, tls, login
        self.shop = Shop(instance.base_url)
        self.client = self.shop.client
        self.admin = self.shop.admin()

    def received(self, recipient, subject_part, timeout=30.0):
        """The (message, envelope) the sink stored for `recipient` whose subject holds `subject_part`."""
        def find():
            for name in sorted(os.listdir(self.sink_dir)):
                if not name.endswith(".eml"):
                    continue
                with open(os.path.join(self.sink_dir, name), "rb") as f:
                    message = email.message_from_binary_file(f, policy=email.policy.default)
                if recipient in (message["To"] or "") and subject_part in (message["Subject"] or ""):
                    with open(os.path.join(self.sink_dir, name[:-4] + ".json")) as f:
                        return message, json.load(f)
            return None
        return eventually(find, timeout, f"{self.label}: a mail to {recipient} with {subject_part!r} in its subject at the SMTP server")

    def assert_message(self, what, message, envelope, recipient, subject):
        """The headers every mail has, no parsing defect, and the envelope of the session."""
        label = f"{self.label} {what}"
        assert message["From"] == MAIL_FROM, f"{label}: From should be {MAIL_FROM}, is {message['From']}"
        assert message["To"] == recipient, f"{label}: To should be {recipient}, is {message['To']}"
        assert message["Subject"] == subject, f"{label}: Subject should decode to {subject!r}, is {message['Subject']!r}"
        date = email.utils.parsedate_to_datetime(message["Date"]) if message["Date"] else None
        assert date is not None and abs(time.time() - date.timestamp()) < 600, f"{label}: a current Date wanted, is {message['Date']}"
        assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", message["Message-ID"] or ""), f"{label}: a Message-ID wanted, is {message['Message-ID']}"
        assert message["MIME-Version"] == "1.0", f"{label}: MIME-Version 1.0 wanted, is {message['MIME-Version']}"
        defects = [d for part in message.walk() for d in part.defects]
        assert not defects, f"{label}: should parse without defects: {defects}"
        how = f"{'with STARTTLS' if self.tls else 'in plain text'}, {'as ' + self.login if self.login else 'without AUTH'}"
        assert envelope.get("tls") is self.tls and envelope.get("login") == self.login, f"{label}: should be sent {how}: envelope {envelope}"

    def subscribe_and_confirm(self, reader):
        """Subscribes `reader`, confirms by the link of the mailed text part; returns the confirmation request."""
        self.shop.must(self.client.post("/api/v1/newsletters/subscriptions", {"email": reader}), 202, "subscribe")
        message, envelope = self.received(reader, "")
        link = re.search(r"https?://\S+?token=[A-Za-z0-9_\-.]+", message.get_body(preferencelist=("plain",)).get_content())
        assert link is not None, f"{self.label} confirmation: the link should be in the text part"
        token = re.search(r"token=([A-Za-z0-9_\-.]+)", link.group(0)).group(1)
        self.shop.must(self.client.get(f"/api/v1/newsletters/subscriptions/confirm?token={token}"), 200, "confirm by the mailed link")
        return message, envelope


@pytest.fixture(scope="module", params=SINKS)
def mail(request, servers, module_platforms):
    """The whole platform sending through one SMTP sink (plain, or STARTTLS and AUTH required)."""
    label = request.param
    s3 = servers.need("COMPTOIR_TEST_S3_ENDPOINT", "COMPTOIR_TEST_S3_ACCESS_KEY", "COMPTOIR_TEST_S3_SECRET_KEY")
    if label == "plain":
        sink = servers.need("COMPTOIR_TEST_SMTP_URL", "COMPTOIR_TEST_SMTP_DIR")
        smtp_env = {"COMPTOIR_SMTP_URL": sink["COMPTOIR_TEST_SMTP_URL"]}
        sink_dir, tls, login = sink["COMPTOIR_TEST_SMTP_DIR"], False, None
    else:
        sink = servers.need("COMPTOIR_TEST_SMTPS_URL", "COMPTOIR_TEST_SMTPS_DIR", "COMPTOIR_TEST_SMTP_CA_FILE")
        smtp_env = {"COMPTOIR_SMTP_URL": sink["COMPTOIR_TEST_SMTPS_URL"] + "?tls=required", "COMPTOIR_SMTP_CA_FILE": sink["COMPTOIR_TEST_SMTP_CA_FILE"]}
        sink_dir, tls = sink["COMPTOIR_TEST_SMTPS_DIR"], True
        login = re.match(r"smtp://([^:@/]+):", sink["COMPTOIR_TEST_SMTPS_URL"]).group(1)
    env = {
        **smtp_env, "COMPTOIR_MAIL_FROM": MAIL_FROM, "COMPTOIR_LOG_FORMAT": "text",
        "COMPTOIR_RATE_LIMIT_IP": "100000/1s", "COMPTOIR_RATE_LIMIT_USER": "100000/1s",
        "COMPTOIR_S3_ENDPOINT": s3["COMPTOIR_TEST_S3_ENDPOINT"], "COMPTOIR_S3_BUCKET": f"mailtest-{uuid.uuid4().hex[:8]}",
        "COMPTOIR_S3_ACCESS_KEY": s3["COMPTOIR_TEST_S3_ACCESS_KEY"], "COMPTOIR_S3_SECRET_KEY": s3["COMPTOIR_TEST_S3_SECRET_KEY"],
    }
    instance = module_platforms.start(label, env)
    yield MailPlatform(label, instance, sink_dir, tls, login)
    if instance.running():
        module_platforms.stop(instance)


def test_welcome_mail(mail):
    """A customer with a non-ASCII name registers: the welcome mail arrives."""
    customer = f"zoe-{uuid.uuid4().hex[:8]}@example.com"
    mail.shop.must(mail.client.post("/api/v1/auth/register", {"email": customer, "password": "correct horse battery", "name": "Zoë Ñúñez"}),
                   201, "register")
    message, envelope = mail.received(customer, "Welcome")
    mail.assert_message("welcome", message, envelope, customer, "Welcome to Comptoir, Zoë Ñúñez")
    text = message.get_body(preferencelist=("plain",))
    assert text is not None and "Zoë Ñúñez" in text.get_content(), f"{mail.label} welcome: a text/plain part in UTF-8 with the name"


def test_newsletter_confirmation_mail(mail):
    """An address subscribes: the confirmation request arrives, and the link of its text part confirms."""
    reader = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    message, envelope = mail.subscribe_and_confirm(reader)
    mail.assert_message("confirmation", message, envelope, reader, message["Subject"])


def test_campaign_mail_and_one_click_unsubscribe(mail):
    """A campaign with a non-ASCII subject, a text and an HTML template: multipart/alternative with
    both parts, List-Unsubscribe and List-Unsubscribe-Post, and the header's one-click URL works."""
    reader = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    mail.subscribe_and_confirm(reader)
    shop, client, admin = mail.shop, mail.client, mail.admin
    template = shop.must(client.post("/api/v1/newsletters/templates", {
        "name": "Summer sale", "subject": CAMPAIGN_SUBJECT, "text": "Bonjour {{email}},\nTout doit disparaître.\nSe désabonner : {{unsubscribe_url}}",
        "html": "<p>Bonjour {{email}},</p><p>Tout doit <b>disparaître</b>.</p><p><a href=\"{{unsubscribe_url}}\">Se désabonner</a></p>"},
        token=admin), 201, "template")["id"]
    campaign = shop.must(client.post("/api/v1/newsletters/campaigns", {"subject": CAMPAIGN_SUBJECT, "template_id": template}, token=admin),
                         201, "campaign")["id"]
    shop.must(client.post(f"/api/v1/newsletters/campaigns/{campaign}/send", token=admin), 202, "send the campaign")
    message, envelope = mail.received(reader, "Soldes")
    mail.assert_message("campaign", message, envelope, reader, CAMPAIGN_SUBJECT.replace("{{email}}", reader))
    assert message.get_content_type() == "multipart/alternative", f"{mail.label} campaign: multipart/alternative, is {message.get_content_type()}"
    text, html = message.get_body(preferencelist=("plain",)), message.get_body(preferencelist=("html",))
    assert text is not None and "disparaître" in text.get_content(), f"{mail.label} campaign: the text part, in UTF-8"
    assert html is not None and "<b>disparaître</b>" in html.get_content(), f"{mail.label} campaign: the HTML part, in UTF-8"
    unsubscribe = re.fullmatch(r"<(https?://\S+)>", message["List-Unsubscribe"] or "")
    assert unsubscribe is not None, f"{mail.label} campaign: List-Unsubscribe should hold one http(s) URL, is {message['List-Unsubscribe']}"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", f"{mail.label} campaign: List-Unsubscribe-Post (RFC 8058)"
    path = re.sub(r"^https?://[^/]+", "", unsubscribe.group(1))
    response = client.post(path)
    assert response.status == 200, f"{mail.label} campaign: the header's one-click URL should unsubscribe: {response.describe()}"
    log = shop.must(client.get(f"/api/v1/newsletters/mails?to={reader}", token=admin), 200, "mail log")
    assert log["items"] and all(m["status"] == "sent" for m in log["items"]), \
        f"{mail.label}: the mail log should say sent: {[m['status'] for m in log['items']]}"
