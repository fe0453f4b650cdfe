"""Command-line adapters, one module per area; ``mescams.cli`` mounts them.

Modules here import heavy libraries (Django, pandas, ...) inside the command functions, so that
``mescams --help`` and the light commands start fast.
"""
