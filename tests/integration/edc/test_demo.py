"""``mescams demo load`` builds the trial `make run` shows, through the services, on SQLite."""

from __future__ import annotations

import pytest

from mescams.edc.testing import use_database


@pytest.mark.django_db(databases=["default"])
def test_demo_trial_has_the_promised_shape() -> None:
    from mescams.edc.audit.verify import verify_audit_trail
    from mescams.edc.crfs.models import Infusion, MriScan
    from mescams.edc.demo.loader import DemoAlreadyLoaded, load_demo
    from mescams.edc.queries.models import Query
    from mescams.edc.trial.models import Participant, ProtocolDeviation

    with use_database("default"):
        summary = load_demo(seed=20150601)
        assert (summary.screened, summary.screen_failed, summary.randomised) == (45, 14, 31)
        statuses = list(Participant.objects.values_list("status", flat=True))
        assert statuses.count("withdrawn") == 1 and statuses.count("screen_failed") == 14
        assert statuses.count("completed") == 30
        failed = {c for p in Participant.objects.filter(status="screen_failed") for c in p.failed_criteria}
        assert {"E9", "I4", "E5"} <= failed
        assert set(Participant.objects.values_list("site__code", flat=True)) == {"OTT", "WPG"}
        assert Infusion.objects.count() == 61 and MriScan.objects.filter(read_at__isnull=True).count() == 0
        assert ProtocolDeviation.objects.filter(kind="out_of_window").exists()
        assert Query.objects.exclude(status="closed").count() >= 3
        assert len(summary.users) == 10 and verify_audit_trail().entries > 10000
        with pytest.raises(DemoAlreadyLoaded):
            load_demo(seed=20150601)
