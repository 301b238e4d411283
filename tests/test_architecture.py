"""The layers hold at run time too: importing a low package does not drag in the ones above."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("module", "must_not_load"),
    [
        ("app.geo.router", ["app.catalog", "app.needs", "app.bulk", "app.search.indexer"]),
        ("app.deps", ["app.search", "app.catalog", "app.needs"]),
        (
            "app.search.indexer",
            [
                *(f"app.catalog.{m}" for m in ("listing", "records", "facts", "workflow")),
                *(f"app.needs.{m}" for m in ("listing", "records", "facts", "workflow")),
                "app.matching",
            ],
        ),
        ("app.auth.router", ["app.catalog", "app.needs", "app.bulk"]),
    ],
)
def test_importing_a_package_loads_only_what_it_stands_on(
    module: str, must_not_load: list[str]
) -> None:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    dragged = [
        m for m in loaded for banned in must_not_load if m == banned or m.startswith(f"{banned}.")
    ]
    assert dragged == [], f"importing {module} loads {dragged}"
