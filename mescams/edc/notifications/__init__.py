"""E-mail notifications each user chooses: visit due, query raised or answered, serious AE entered, signature
requested. Sent through Django's mail with the configured backend, after the change commits."""
