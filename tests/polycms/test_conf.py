"""``AppSettings``: namespaced app settings with defaults, reloaded by ``override_settings``."""

import pytest

from polycms.conf import AppSettings

example = AppSettings("POLYCMS_EXAMPLE", {"LIMIT": 5, "NAME": "default"})


def test_defaults_apply_when_the_dict_is_absent():
    assert (example.LIMIT, example.NAME) == (5, "default")


def test_given_keys_override_defaults_and_others_keep_them(settings):
    settings.POLYCMS_EXAMPLE = {"LIMIT": 9}
    assert (example.LIMIT, example.NAME) == (9, "default")


def test_a_settings_change_reloads_the_cached_value(settings):
    settings.POLYCMS_EXAMPLE = {"LIMIT": 1}
    assert example.LIMIT == 1
    settings.POLYCMS_EXAMPLE = {"LIMIT": 2}
    assert example.LIMIT == 2


def test_a_change_to_another_setting_keeps_the_cache(settings):
    settings.POLYCMS_EXAMPLE = {"LIMIT": 3}
    assert example.LIMIT == 3
    example._cache["LIMIT"] = 4  # only a reload of POLYCMS_EXAMPLE may drop it
    settings.POLYCMS_OTHER = {"LIMIT": 7}
    assert example.LIMIT == 4


def test_unknown_keys_are_errors():
    with pytest.raises(AttributeError, match="Invalid POLYCMS_EXAMPLE setting: 'LIMT'"):
        example.LIMT
