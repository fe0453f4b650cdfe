"""On-site monitoring by a clinical research associate: source data verification per form, monitoring visits and
their reports, and the e-mail notifications each user chooses."""
