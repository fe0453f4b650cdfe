"""Bilingual labels of the investigational products (C.05.011), printed by the cell-processing lab."""
