"""Asset checks on the published marts (warehouse/marts_checks.py): freshness against the lake,
and every message counted once. They check the file readers get, whichever run published it, so
they are not tied to a partition; the dbt tests run as checks of their own models besides."""

from datetime import timedelta
from pathlib import Path

import dagster as dg

from orchestration.defs.resources import LakeResource, WarehouseResource
from warehouse.marts_checks import CheckOutcome, check_freshness, check_message_counts
from warehouse.marts_file import MartsFile

DAILY_ROLLUPS = dg.AssetKey(["marts", "channel_daily_rollups"])
# The sensor asks every minute and a day's build takes seconds: a lag of this much means the
# builds are failing or not running.
FRESHNESS_LIMIT = timedelta(minutes=30)


def _result(outcome: CheckOutcome, severity: dg.AssetCheckSeverity) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=outcome.passed, severity=severity,
                               description=outcome.description, metadata=outcome.metadata)


@dg.asset_check(asset=DAILY_ROLLUPS, name="marts_fresh",
                description="The marts were rebuilt after the lake last changed, or within "
                f"{FRESHNESS_LIMIT}.")
def marts_fresh(lake: LakeResource, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    outcome = check_freshness(lake.store(), MartsFile(Path(warehouse.path)),
                              max_age=FRESHNESS_LIMIT)
    return _result(outcome, dg.AssetCheckSeverity.WARN)


@dg.asset_check(asset=DAILY_ROLLUPS, name="marts_count_every_message",
                description="The message-counting marts count the distinct live messages of "
                "the lake version the build read.")
def marts_count_every_message(lake: LakeResource,
                              warehouse: WarehouseResource) -> dg.AssetCheckResult:
    outcome = check_message_counts(lake.store(), MartsFile(Path(warehouse.path)))
    return _result(outcome, dg.AssetCheckSeverity.ERROR)


marts_checks = [marts_fresh, marts_count_every_message]
