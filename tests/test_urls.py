"""Credentials out of URLs (btctrace/urls.py): the one function every output relies on."""

import pytest

from btctrace.urls import public_url, url_credentials


@pytest.mark.parametrize("given, public", [
    ("https://blockstream.info/api", "https://blockstream.info/api"),
    ("http://user:password@host:3000/api", "http://host:3000/api"),
    ("http://apikey@host/api", "http://host/api"),
    ("https://h/api/tx?api_key=s3cr3t&page=2&token=t", "https://h/api/tx?page=2"),
    ("http://u:p@[::1]:8080/api", "http://[::1]:8080/api"),
    ("http://u:p%40ss@host/api", "http://host/api"),
])
def test_public_url_has_no_user_password_or_secret_parameter(given, public):
    assert public_url(given) == public


def test_a_database_login_name_may_stay():
    assert public_url("postgresql://btctrace:pw@db.unit.local:5432/store", keep_user=True) == \
        "postgresql://btctrace@db.unit.local:5432/store"


def test_credentials_are_read_decoded():
    assert url_credentials("http://u%20x:p%40ss@host/api") == ("u x", "p@ss")
    assert url_credentials("http://host/api") is None
