"""Safety reporting as pure rules: AE severity, seriousness, expectedness against the Reference Safety
Information, the SUSAR rule and Health Canada's expedited-reporting clocks (C.05.014). No I/O, no framework."""
