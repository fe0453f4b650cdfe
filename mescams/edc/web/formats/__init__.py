"""Date formats of the pages: ISO 8601 everywhere (``FORMAT_MODULE_PATH`` points here)."""
