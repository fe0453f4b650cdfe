"""Electronic consents and uploaded ICF documents (audited: they are trial records).

The participant's name appears only inside the signed PDF (the site's source document); the EDC keeps no
name in a column anyone could list."""

from __future__ import annotations

from django.db import models

from mescams.edc.audit.audited import AuditedModel

__all__ = ["ElectronicConsent", "UploadedConsentDocument"]


class ElectronicConsent(AuditedModel):
    """One electronically signed ICF: the consent record it produced, the language and document read, the
    comprehension answers, both signatures' times, and the archived PDF with its SHA-256."""

    consent = models.OneToOneField("crfs.Consent", on_delete=models.PROTECT, related_name="electronic")
    participant = models.ForeignKey("trial.Participant", on_delete=models.PROTECT, related_name="electronic_consents")
    form_version = models.CharField(max_length=40)
    language = models.CharField(max_length=10)
    document_approved_on = models.DateField()
    translation_certificate = models.CharField(max_length=200, blank=True, default="")
    answers = models.JSONField(default=dict)
    comprehension_attempts = models.PositiveIntegerField(default=1)
    participant_signed_at = models.DateTimeField()
    countersigned_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    countersigned_at = models.DateTimeField()
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)

    audit_exclude = ("pdf",)  # the chain keeps the PDF's SHA-256, not its bytes

    class Meta:
        ordering = ["-countersigned_at", "-id"]


class UploadedConsentDocument(AuditedModel):
    """An ICF document in one language for a declared version, uploaded by the data manager (as the ethics board
    approved it), with its translation certificate; the protocol file's own documents cannot be replaced."""

    form_version = models.CharField(max_length=40)
    language = models.CharField(max_length=10)
    approved_on = models.DateField()
    title = models.CharField(max_length=200)
    text = models.TextField()  # paragraphs separated by blank lines
    question_texts = models.JSONField(default=dict)  # question id -> its text in this language
    certificate_translator = models.CharField(max_length=200, blank=True, default="")
    certificate_on = models.DateField(null=True, blank=True)
    certificate_reference = models.CharField(max_length=200, blank=True, default="")
    certificate_pdf = models.BinaryField(blank=True, default=b"")
    certificate_sha256 = models.CharField(max_length=64, blank=True, default="")
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    audit_exclude = ("certificate_pdf",)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form_version", "language"], name="econsent_one_document")]
