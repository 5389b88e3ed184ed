import pytest

from tokens import crypto


def test_generated_token_has_prefix_length_and_valid_checksum():
    token = crypto.generate_token()
    assert token.startswith("pcms_")
    assert len(token) == crypto.TOKEN_LENGTH == 51
    assert crypto.is_well_formed(token)


def test_generated_tokens_are_unique():
    assert len({crypto.generate_token() for _ in range(1000)}) == 1000


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("pcms_", "pcmx_"),  # wrong prefix
        lambda t: t[:-1],  # too short
        lambda t: t + "A",  # too long
        lambda t: t[:10] + "-" + t[11:],  # outside the alphabet
        lambda t: t[:10] + ("A" if t[10] != "A" else "B") + t[11:],  # typo caught by the checksum
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong checksum
        lambda t: "",
    ],
)
def test_malformed_tokens_are_rejected(mutate):
    assert not crypto.is_well_formed(mutate(crypto.generate_token()))


def test_digest_is_keyed_by_the_secret_key(settings):
    token = crypto.generate_token()
    first = crypto.digest(token)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert crypto.digest(token) != first
    assert len(first) == 64 and token not in first


def test_candidate_digests_cover_fallback_keys(settings):
    token = crypto.generate_token()
    old = crypto.digest(token)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-secret-key-for-this-test-only-0123456789"
    assert crypto.candidate_digests(token) == [crypto.digest(token), old]


def test_hint_is_the_last_four_characters():
    token = crypto.generate_token()
    assert crypto.hint(token) == token[-4:]
