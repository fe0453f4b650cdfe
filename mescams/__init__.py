"""mescams: runs and analyses the MESCAMS crossover trial (NCT02239393).

The package is laid out by concern, and data flows one way:
protocol (``protocols/`` read by ``core.protocol``) -> screening and eligibility (``core``) -> randomisation,
visits and eCRFs (``edc``) -> analysis datasets and results (``stats``) -> exports (``interop``).
``core`` imports no framework; ``edc`` (Django) calls ``core``, never the reverse.
"""

__version__ = "0.1.0"
