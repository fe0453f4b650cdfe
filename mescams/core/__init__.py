"""Pure domain of the MESCAMS trial: no I/O, no framework.

Protocol model, eligibility rules, randomisation lists, dosing, visit schedule, EDSS and disability
progression, lesion activity. Functions take data and return data.
"""
