"""The EDC: the Django project that runs the trial day to day (the domain rules stay in ``mescams.core``).

Apps, one concern each (models, services, migrations):

- ``accounts``       users with one role and their sites; log-in with lock-out (``services.check_credentials``)
- ``trial``          sites, participants and their lifecycle (``core.lifecycle``), screening with the eligibility
                     engine, emergency unblinding, protocol deviations
- ``randomisation``  the stored allocation list (``core.randomisation``) and ``randomise`` (next free slot of the
                     site's stratum, in one transaction)
- ``crfs``           the eCRFs with validation naming field and rule, ``save_form`` (window checks, edit checks,
                     lifecycle steps), the lab's cell counts, the MRI reader's reads
- ``queries``        queries, casebook e-signatures, data locks
- ``audit``          ``AuditedModel`` (every save/delete writes the hash-chained trail in the same transaction),
                     ``acting(user, reason=...)`` and ``verify_audit_trail``
- ``api``            the django-ninja JSON API (``/api/``, OpenAPI at ``/api/openapi.json``); errors mapped to
                     HTTP in ``api.errors``; every answer shaped by ``core.blinding.BLINDING_POLICY``
- ``export``         ``write_analysis_data`` (contracts/analysis-data.md)
- ``demo``           the seeded demo trial loaded through the services

Django is configured by :func:`mescams.edc.settings.configure` (from ``MESCAMS_*`` variables, at start-up);
tests call :func:`mescams.edc.testing.configure_for_tests`.
"""
