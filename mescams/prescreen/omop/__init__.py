"""Feasibility over hospital data in the OMOP Common Data Model: the protocol's criteria, counted per care site.

One definition of each criterion (the core's rule objects); here only the second mapping of their inputs:
``omop_concepts.yaml`` (OMOP concept sets -> the screening record's inputs), :mod:`.inputs` (rule parts whose input
OMOP lacks become unknown), :mod:`.mapping` (OMOP tables -> registry tables, in SQL and in Python), :mod:`.engine`
(the compiled SQL in DuckDB or PostgreSQL, or the Python reference engine), :mod:`.funnel` (suppressed counts),
:mod:`.circe` (the same criteria as an ATLAS cohort definition) and :mod:`.synthetic` (test and benchmark data).
"""
