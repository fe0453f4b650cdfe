"""``mescams demo load`` builds the trial `make run` shows, from the simulation's virtual patients, through the
services, on SQLite."""

from __future__ import annotations

import pytest

from mescams.edc.testing import use_database


@pytest.mark.django_db(databases=["default"])
def test_demo_trial_has_the_promised_shape() -> None:
    from mescams.edc.audit.verify import verify_audit_trail
    from mescams.edc.crfs.models import Infusion, MriScan
    from mescams.edc.demo.loader import DEMO_USERS, DemoAlreadyLoaded, demo_password, load_demo
    from mescams.edc.queries.models import Query, Signature
    from mescams.edc.trial.models import Participant, ProtocolDeviation

    with use_database("default"):
        summary = load_demo(seed=20150601)
        assert (summary.screened, summary.screen_failed, summary.randomised) == (45, 14, 31)
        statuses = list(Participant.objects.values_list("status", flat=True))
        assert statuses.count("screen_failed") == 14
        withdrawn, completed = statuses.count("withdrawn"), statuses.count("completed")
        assert withdrawn >= 1 and withdrawn + completed == 31
        assert all(p.failed_criteria for p in Participant.objects.filter(status="screen_failed"))
        assert set(Participant.objects.values_list("site__code", flat=True)) == {"OTT", "WPG"}
        # every randomised participant had the week-0 infusion; those who completed also the week-24 one
        assert Infusion.objects.filter(visit_code="W0").count() == 31
        assert Infusion.objects.filter(visit_code="W24").count() >= completed
        assert MriScan.objects.filter(read_at__isnull=True).count() == 0
        assert ProtocolDeviation.objects.filter(kind="out_of_window").exists()
        assert Query.objects.exclude(status="closed").exists() and Query.objects.filter(status="closed").exists()
        assert Signature.objects.filter(signed_by="investigator").exists()
        assert summary.users == [(name, demo_password(name), role.label) for name, role, _ in DEMO_USERS]
        assert verify_audit_trail().entries > 10000
        with pytest.raises(DemoAlreadyLoaded):
            load_demo(seed=20150601)
