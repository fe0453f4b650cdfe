"""URL map: the JSON API under /api/ (OpenAPI at /api/openapi.json); pages come with the web application."""

from __future__ import annotations

from django.urls import include, path, re_path

from mescams.edc.api.app import build_api
from mescams.edc.i18n.views import set_language
from mescams.edc.labels.views import product_label

urlpatterns = [
    path("api/", build_api().urls),
    path("language/", set_language, name="set_language"),
    path("", include("mescams.edc.econsent.urls")),
    path("", include("mescams.edc.portal.urls")),
    re_path(r"^lab/labels/(?P<product_code>[A-Za-z0-9-]+)/(?P<visit_code>[A-Za-z0-9]+)\.(?P<fmt>html|pdf)$",
            product_label, name="product_label"),
    path("", include("mescams.edc.web.urls")),
]
