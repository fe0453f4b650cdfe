from django.apps import AppConfig


class QueriesConfig(AppConfig):
    name = "mescams.edc.queries"
    label = "queries"
    verbose_name = "Data management: queries, signatures, locks"

    def ready(self) -> None:
        # Imported here: models may be imported only once every app is loaded (Django's rule for ready())
        from mescams.edc.crfs.base import after_record_change
        from mescams.edc.queries.casebook import invalidate_signatures

        after_record_change(invalidate_signatures)  # a change of a signed casebook's record invalidates the signature
