"""URL map: the JSON API under /api/ (OpenAPI at /api/openapi.json); pages come with the web application."""

from __future__ import annotations

from django.urls import include, path

from mescams.edc.api.app import build_api
from mescams.edc.i18n.views import set_language

urlpatterns = [
    path("api/", build_api().urls),
    path("language/", set_language, name="set_language"),
    path("", include("mescams.edc.web.urls")),
]
