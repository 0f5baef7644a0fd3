"""Small synthetic inputs shared by the pipeline tests, written once per session."""

from pathlib import Path

import pytest

from samen.online.engine.synth import write_synthetic


@pytest.fixture(scope="session")
def synthetic_ads(tmp_path_factory) -> tuple[Path, Path]:
    path = tmp_path_factory.mktemp("synth") / "ads.jsonl"
    truth = write_synthetic(3000, seed=5, out=path, bad_lines=3)
    return path, truth
