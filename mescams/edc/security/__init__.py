"""Security of the EDC's HTTP layer: response headers (CSP and friends), log-in rate limiting, session settings.

The EDC's own lock-out (``mescams.edc.accounts.services.check_credentials``) locks one account after repeated
failures; the rate limit here adds a per-client-address limit on log-in attempts, so one address cannot try many
accounts (password spraying) or hammer a locked one. :func:`security_settings` gives the session, cookie and
header settings that :mod:`mescams.edc.settings` merges in.
"""

from mescams.edc.security.config import security_settings

__all__ = ["security_settings"]
