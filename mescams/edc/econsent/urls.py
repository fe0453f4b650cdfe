"""Routes of electronic consent (namespace ``econsent``)."""

from __future__ import annotations

from django.urls import path

from mescams.edc.econsent import views

app_name = "econsent"
urlpatterns = [
    path("site/econsent/", views.start, name="start"),
    path("site/econsent/read/", views.read, name="read"),
    path("site/econsent/sign/", views.sign, name="sign"),
    path("site/econsent/<int:pk>/", views.done, name="done"),
    path("site/econsent/<int:pk>/signed.pdf", views.signed_form, name="signed_form"),
    path("dm/consent-documents/", views.documents, name="documents"),
]
