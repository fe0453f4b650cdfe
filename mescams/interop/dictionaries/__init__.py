"""Licensed coding dictionaries read as their owners deliver them: MedDRA (MSSO ASCII) and WHODrug (UMC B3 text).

The project ships neither dictionary. A sponsor loads its own licensed copy (``mescams coding load-meddra DIR``,
``load-whodrug DIR``); tests and the demo use :mod:`mescams.interop.dictionaries.synthetic`, a small dictionary in
exactly the delivered format, with invented codes, labelled as not MedDRA and not WHODrug. These modules parse and
check the files (pure, no database); :mod:`mescams.edc.coding` stores them as versioned tables.
"""

from mescams.interop.dictionaries.errors import DictionaryFileError
from mescams.interop.dictionaries.meddra import MeddraDictionary, read_meddra
from mescams.interop.dictionaries.whodrug import WhodrugDictionary, read_whodrug

__all__ = ["DictionaryFileError", "MeddraDictionary", "WhodrugDictionary", "read_meddra", "read_whodrug"]
