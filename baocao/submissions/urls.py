"""Web pages of reports: the officer's reports and data entry, the reviewer's inbox."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "submissions"

urlpatterns: list[URLPattern] = []
