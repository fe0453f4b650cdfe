from typing import Any

from django.apps import AppConfig


def forms_match_protocol(**_: Any) -> list[Any]:
    """Django system check: the eCRF models' unique constraints are the protocol's single forms."""
    from django.core import checks

    # Imported here, as in ready(): models may be imported only once every app is loaded (Django's rule)
    from mescams.edc.crfs.instances import declaration_problems
    from mescams.edc.crfs.models import FORMS

    return [checks.Error(p, id="crfs.E001") for p in declaration_problems(FORMS)]


class CrfsConfig(AppConfig):
    name = "mescams.edc.crfs"
    label = "crfs"
    verbose_name = "Case report forms"

    def ready(self) -> None:
        # Imported here: models may be imported only once every app is loaded (Django's rule for ready())
        from mescams.edc.crfs.edit_checks import verify_registry

        verify_registry()  # a malformed edit-check registry fails at start-up, not at the first submit
        from django.core import checks

        checks.register(forms_match_protocol, checks.Tags.models)
