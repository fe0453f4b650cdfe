"""Pharmacovigilance: SUSAR screening, the per-case reveal of the safety officer, Health Canada's expedited
reporting clocks and reminders, and the case forms (CIOMS I, ICH E2B(R3)). The rules are the core's
(:mod:`mescams.core.safety`); this app stores what people did and shows it to the safety officer only."""
