"""Vietnamese is the default language and every message has a Vietnamese translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def _entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry of a .po file, without the header."""
    entries, msgid, msgstr, fuzzy, target = [], None, None, False, None
    for line in [*po.read_text("utf-8").splitlines(), ""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            msgid, target = line[6:].strip('"'), "id"
        elif line.startswith(("msgstr ", "msgstr[")):
            # A plural entry has msgstr[0], msgstr[1]…; Vietnamese has one form.
            text = line.split(" ", 1)[1].strip('"')
            msgstr, target = (msgstr or "") + text if msgstr is not None else text, "str"
        elif line.startswith('"') and target == "id":
            msgid = (msgid or "") + line.strip('"')
        elif line.startswith('"') and target == "str":
            msgstr = (msgstr or "") + line.strip('"')
        elif not line.strip() and msgid is not None:
            if msgid:
                entries.append((msgid, msgstr or "", fuzzy))
            msgid, msgstr, fuzzy, target = None, None, False, None
    return entries


def test_every_vietnamese_entry_is_translated_and_not_fuzzy():
    entries = _entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []


def test_compiled_catalogue_is_newer_than_its_source():
    po = LOCALE / "vi" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), "run make messages"


def test_messages_render_in_vietnamese_by_default():
    from baocao.organisations.errors import UnitError

    with translation.override("vi"):
        assert "đơn vị" in UnitError.UNKNOWN_UNIT.render({"code": "X"})
    with translation.override("en"):
        assert UnitError.UNKNOWN_UNIT.render({"code": "X"}) == "Unknown unit code X."


@pytest.mark.django_db
def test_admin_login_page_is_vietnamese():
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


@pytest.mark.django_db
def test_pages_stay_vietnamese_for_an_english_browser_until_the_user_switches():
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="vi"' in client.get("/admin/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert 'lang="en"' in client.get("/admin/login/").content.decode()


@pytest.mark.django_db
def test_api_clients_may_ask_for_english(api_client):
    response = api_client.get("/api/v1/units/XYZ/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == "Unknown unit code XYZ."
