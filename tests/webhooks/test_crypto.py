"""Secrets, their encryption at rest, message ids and signatures, against the reference library."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook as Reference

from webhooks import crypto


def test_a_secret_is_whsec_and_base64_of_32_random_bytes():
    secret = crypto.generate_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert crypto.signing_key(secret) == Reference(secret)._whsecret
    assert secret != crypto.generate_secret()


def test_message_ids_are_msg_and_random():
    ids = {crypto.generate_message_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"msg_[0-9A-Za-z]{27}", message_id) for message_id in ids)


def test_signatures_are_the_reference_librarys():
    secret, body = crypto.generate_secret(), '{"type":"ping","data":{"é":1}}'.encode()
    ours = crypto.signature(crypto.signing_key(secret), "msg_1", 1796183797, body)
    reference = Reference(secret).sign("msg_1", datetime.fromtimestamp(1796183797, tz=UTC), body.decode())
    assert ours == reference


def test_two_keys_give_two_space_separated_signatures():
    keys = [crypto.signing_key(crypto.generate_secret()) for _ in range(2)]
    header = crypto.signature_header(keys, "msg_1", 1, b"{}")
    assert header.split(" ") == [crypto.signature(key, "msg_1", 1, b"{}") for key in keys]


def test_secrets_decrypt_under_the_current_key_then_the_fallbacks(settings):
    secret = crypto.generate_secret()
    stored = crypto.encrypt(secret)
    assert secret not in stored
    assert crypto.decrypt(stored) == (secret, True)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-secret-key-0123456789-0123456789"
    assert crypto.decrypt(stored) == (secret, False)
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(crypto.UndecryptableSecret):
        crypto.decrypt(stored)
