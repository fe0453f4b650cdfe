"""The EDC's web pages for every role: Django templates and htmx, no single-page framework.

Pages call the same audited services as the JSON API (``mescams.edc.*.services``); they never write models
directly. Every view checks role and site on the server (403 or 404, never a hidden link), and anything that
could reveal allocation is asked of the one blinding policy (``mescams.core.blinding``).
"""
