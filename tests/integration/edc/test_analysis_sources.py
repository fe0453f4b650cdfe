"""The analysis export reads sex, birth date (age) and MS course from their declared sources: Demographics, else
the screening record (the protocol's ``data_sources``), so a randomised participant without Demographics no longer
breaks the analysis."""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from pathlib import Path

from django.test import Client

from mescams.edc.crfs.services import save_form
from mescams.edc.export.analysis_data import write_analysis_data
from mescams.protocols import default_protocol
from mescams.stats.analysis import run_analysis
from mescams.stats.analysis_data import read_analysis_data
from tests.factories.edc import CONSENT, eligible_record, randomised
from tests.integration.edc.test_validation_rules import GOOD


def _people(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / "participants.csv").open(encoding="utf-8", newline="") as handle:
        return {row["participant_id"]: row for row in csv.DictReader(handle)}


def test_a_missing_demographics_form_falls_back_to_the_screening_record(users, allocation, tmp_path) -> None:
    without, with_form = randomised(users["coord"]), randomised(users["coord"])
    save_form(user=users["coord"], participant_id=with_form, form="demographics",
              values={**GOOD["demographics"], "sex": "M", "ms_course": "SPMS"},
              confirm_checks=["demographics_vs_screening"], reason="screening record typed wrong; chart checked")
    write_analysis_data(tmp_path)
    people = _people(tmp_path)
    screening = eligible_record()
    assert (people[without]["sex"], people[without]["ms_course"]) == (screening["sex"], screening["ms"]["course"])
    born, consented = dt.date.fromisoformat(screening["birth_date"]), CONSENT
    age = consented.year - born.year - ((consented.month, consented.day) < (born.month, born.day))
    assert people[without]["age"] == str(age) == "34"  # born 35 years before randomisation, a month after consent
    assert (people[with_form]["sex"], people[with_form]["ms_course"]) == ("M", "SPMS")  # the first source wins
    data = read_analysis_data(tmp_path, default_protocol())  # the statistics read it without complaint
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # two participants: the models cannot converge, and say so
        results = run_analysis(data, default_protocol()).results()
    assert "sex" not in results["missing_data"]  # what is still missing (no EDSS yet) is warned of, not fatal
    assert any(w.startswith("participants.csv: baseline_edss missing") for w in results["warnings"])


def test_the_api_export_has_the_fallback_values(users, allocation) -> None:
    pid = randomised(users["coord"])
    client = Client()
    client.force_login(users["statistician"])
    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/export/analysis-data").content))
    rows = list(csv.DictReader(io.StringIO(archive.read("analysis-data/participants.csv").decode("utf-8"))))
    assert [(r["participant_id"], r["sex"], r["ms_course"]) for r in rows] == [(pid, "F", "RRMS")]
