"""The deployments of prefect.yaml name their flows' parameters, and their snapshot templates resolve."""

import importlib
import inspect
from datetime import date

import yaml

from flows.daily import dated
from flows.io.paths import PROJECT_ROOT

# The day each flow puts into its snapshot template.
PLACEHOLDERS = {"daily": "as_of", "backfill": "date_to"}


def test_every_parameter_is_the_flows_and_each_snapshot_template_names_the_flows_day():
    deployments = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text())["deployments"]
    assert sorted(d["name"] for d in deployments) == sorted(PLACEHOLDERS)
    for deployment in deployments:
        path, name = deployment["entrypoint"].split(":")
        module = path.removesuffix(".py").replace("/", ".")
        flow = getattr(importlib.import_module(module), name)
        accepted = inspect.signature(flow.fn).parameters
        assert set(deployment["parameters"]) <= set(accepted), deployment["name"]
        placeholder = PLACEHOLDERS[deployment["name"]]
        assert placeholder in accepted
        snapshot = dated(deployment["parameters"]["snapshot"], placeholder, date(2026, 6, 30))
        assert snapshot == "data/snapshots/2026-06-30", deployment["name"]


def test_a_template_takes_the_iso_day_and_a_plain_folder_stays_as_it_is():
    assert dated("exports/{date_to}/crm", "date_to", date(2026, 1, 5)) == "exports/2026-01-05/crm"
    assert dated("exports/latest", "date_to", date(2026, 1, 5)) == "exports/latest"
