"""The one rule for user names, checked by the command line, the Django admin and the services alike.

Why so narrow: a user name ends up in audit entries, log lines, page text and (historically) file names. Letters,
digits and ``. _ - @`` are enough for any real name or e-mail-style log-in, and leave no room for shell
metacharacters (``$``, backquotes, ``;``), path separators (``/``, ``\\``), spaces or control characters. It must
begin with a letter or digit, so it can never read as a command-line option or a hidden file (``-rf``, ``..``).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from mescams.errors import InputValidationError

__all__ = ["USERNAME_MAX", "USERNAME_RULE", "UsernameValidator", "check_username"]

USERNAME_MAX = 150
USERNAME_RULE = ("1 to 150 characters: letters A-Z a-z, digits 0-9 and . _ - @, beginning with a letter or a digit "
                 "(no spaces, slashes or shell characters)")
_PATTERN = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._@-]{{0,{USERNAME_MAX - 1}}}")


def check_username(value: object) -> str:
    """``value`` if it is an acceptable user name; otherwise InputValidationError naming the field ``username``."""
    if not isinstance(value, str) or not _PATTERN.fullmatch(value):
        raise InputValidationError("username", USERNAME_RULE)
    return value


@deconstructible
class UsernameValidator:
    """The same rule as a Django field validator (the admin's forms run it)."""

    message = f"User name: {USERNAME_RULE}."
    code = "invalid_username"

    def __call__(self, value: object) -> None:
        try:
            check_username(value)
        except InputValidationError:
            raise ValidationError(self.message, code=self.code) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UsernameValidator)

    def __hash__(self) -> int:
        return hash(self.code)
