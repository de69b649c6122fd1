"""Resources, configured from the environment (defaults filled in first, see lib/settings.py)."""

from pathlib import Path

import dagster as dg

from orchestration.lib.settings import Paths, apply_defaults

apply_defaults()


class SelfevalPaths(dg.ConfigurableResource):
    """Where reports come from, where Parquet/build/audit files go, and the published warehouse."""

    reports_dir: str
    warehouse: str
    data_dir: str

    def paths(self) -> Paths:
        return Paths(Path(self.reports_dir), Path(self.warehouse), Path(self.data_dir))


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "paths": SelfevalPaths(
                reports_dir=dg.EnvVar("SELFEVAL_REPORTS_DIR"),
                warehouse=dg.EnvVar("SELFEVAL_WAREHOUSE"),
                data_dir=dg.EnvVar("SELFEVAL_DATA_DIR"),
            ),
        }
    )
