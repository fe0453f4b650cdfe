"""URL map: the JSON API under /api/ (OpenAPI at /api/openapi.json); pages come with the web application."""

from __future__ import annotations

from django.urls import include, path

from mescams.edc.api.app import build_api

urlpatterns = [
    path("api/", build_api().urls),
    path("", include("mescams.edc.web.urls")),
]
