from typing import Any

from django.apps import AppConfig


def _screening_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Code a screening record's medical history and prior therapies each time it is stored. The screening record is
    written by the participant lifecycle's services (screen, eligibility, a change with a reason), not by the form
    service whose hook codes AEs and medications, so coding listens to the record's own save, in its transaction."""
    if raw:  # a fixture load: nothing to code from
        return
    from mescams.edc.coding.autocode import code_record  # apps.py is imported before the models may be

    code_record(instance)


class CodingConfig(AppConfig):
    name = "mescams.edc.coding"
    label = "coding"
    verbose_name = "Medical coding: MedDRA and WHODrug releases, coded terms, synonyms"

    def ready(self) -> None:
        # Imported here: models may be imported only once every app is loaded (Django's rule for ready())
        from django.db.models.signals import post_save

        # Imported here too: both reach models, which apps.py may not import before every app is loaded
        from mescams.edc.coding.autocode import code_record
        from mescams.edc.crfs.base import after_form_saved

        after_form_saved(code_record)  # an AE term (MedDRA) or a medication (WHODrug) is coded as it is saved
        post_save.connect(_screening_saved, sender="crfs.ScreeningRecord", dispatch_uid="coding.screening_saved")
