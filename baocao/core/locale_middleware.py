"""Language selection: Vietnamese unless the user chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show most
officers' browsers (often set to English) an English site. DESIGN.md makes Vietnamese the
default: pages use the language the user picked (`/i18n/setlang/`, stored in a cookie) or
Vietnamese. API clients may still ask for a language with Accept-Language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class PreferredLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self.choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response

    @staticmethod
    def choose(request: HttpRequest) -> str:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen in SUPPORTED:
            return chosen
        if request.path.startswith("/api/"):
            asked = translation.get_language_from_request(request)
            if asked in SUPPORTED:
                return asked
        return settings.LANGUAGE_CODE
