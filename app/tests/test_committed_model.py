"""The model the image ships (app/models/california-housing): intact, small, and what the
trainer makes from the recorded data and seed."""
import hashlib
import json
import os
import re

import pytest

from model_server.config import DEFAULT_MODEL_DIR

from .support import APP_DIR, train

SHARED_DATA = APP_DIR.parent.parent / "shared" / "data" / "california_housing.csv"


@pytest.fixture(scope="module")
def metadata():
    return json.loads((DEFAULT_MODEL_DIR / "metadata.json").read_text())


def pinned(requirements, name):
    (version,) = re.findall(rf"^{re.escape(name)}==(\S+)$", (APP_DIR / requirements).read_text(), re.MULTILINE)
    return version


def test_model_file_matches_its_metadata_and_stays_small(metadata):
    model = (DEFAULT_MODEL_DIR / "model.npz").read_bytes()
    assert hashlib.sha256(model).hexdigest() == metadata["model_sha256"]
    assert metadata["model_version"].endswith("-" + metadata["model_sha256"][:12])
    assert len(model) < 1_000_000
    assert metadata["data"]["file"] == "california_housing.csv" and metadata["data"]["rows"] == 20433
    assert metadata["metrics"]["r2"] > 0.84


def test_trained_with_the_pinned_libraries(metadata):
    # A new scikit-learn or numpy pin may fit different trees: retrain and commit the model with it.
    assert metadata["libraries"]["scikit-learn"] == pinned("requirements-train.txt", "scikit-learn")
    assert metadata["libraries"]["numpy"] == pinned("requirements.txt", "numpy")


def test_the_trainer_remakes_it_byte_for_byte_from_the_recorded_data(metadata, tmp_path):
    if not SHARED_DATA.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_DATA} is missing")
        pytest.skip(f"{SHARED_DATA} is not beside the project")
    assert hashlib.sha256(SHARED_DATA.read_bytes()).hexdigest() == metadata["data"]["sha256"]
    train(SHARED_DATA, tmp_path, seed=metadata["seed"])
    assert (tmp_path / "model.npz").read_bytes() == (DEFAULT_MODEL_DIR / "model.npz").read_bytes()
