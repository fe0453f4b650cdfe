from django.apps import AppConfig


class CrfsConfig(AppConfig):
    name = "mescams.edc.crfs"
    label = "crfs"
    verbose_name = "Case report forms"

    def ready(self) -> None:
        from mescams.edc.crfs.edit_checks import verify_registry

        verify_registry()  # a malformed edit-check registry fails at start-up, not at the first submit
