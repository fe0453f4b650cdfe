from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "mescams.edc.coding"
    label = "coding"
    verbose_name = "Medical coding: MedDRA and WHODrug releases, coded terms, synonyms"

    def ready(self) -> None:
        # Imported here: models may be imported only once every app is loaded (Django's rule for ready())
        from mescams.edc.coding.autocode import code_record
        from mescams.edc.crfs.base import after_form_saved

        after_form_saved(code_record)  # an AE term (MedDRA) or a medication (WHODrug) is coded as it is saved
