import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from model_server.features import FEATURE_NAMES, with_derived
from model_server.forest import Forest
from model_server.train import fit, load_csv

from .support import APP_DIR, train, write_synthetic_csv


def test_cli_writes_model_and_metadata(model_dir, data_csv):
    metadata = json.loads((model_dir / "metadata.json").read_text())
    assert metadata["feature_names"] == list(FEATURE_NAMES)
    version = metadata["model_version"]
    timestamp, short_hash = version.split("-")
    assert len(timestamp) == 16 and timestamp.endswith("Z")
    assert metadata["model_sha256"] == hashlib.sha256((model_dir / "model.npz").read_bytes()).hexdigest()
    assert metadata["model_sha256"].startswith(short_hash) and len(short_hash) == 12
    assert metadata["data"] == {"file": "housing.csv", "sha256": hashlib.sha256(data_csv.read_bytes()).hexdigest(),
                                "rows": 3000}
    assert metadata["seed"] == 42
    assert metadata["metrics"]["held_out_fraction"] == 0.2
    assert metadata["metrics"]["test_rows"] == 600 and metadata["metrics"]["train_rows"] == 2400
    assert metadata["metrics"]["r2"] > 0.8  # the synthetic target is learnable
    assert set(metadata["libraries"]) == {"python", "numpy", "scikit-learn"}


def test_same_seed_same_model_file_other_seed_other_model(tmp_path, data_csv):
    files = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        train(data_csv, tmp_path / name, seed=seed)
        metadata = json.loads((tmp_path / name / "metadata.json").read_text())
        files.append((tmp_path / name / "model.npz").read_bytes())
        assert metadata["model_sha256"] == hashlib.sha256(files[-1]).hexdigest()
    assert files[0] == files[1] != files[2]  # byte for byte: no timestamps in the file


def test_data_is_required(tmp_path):
    result = subprocess.run([sys.executable, "-m", "model_server.train", "--out", str(tmp_path)], cwd=APP_DIR,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--data" in result.stderr


def test_exported_forest_predicts_exactly_what_sklearn_predicts(tmp_path):
    X, y = load_csv(write_synthetic_csv(tmp_path / "d.csv", rows=1500, seed=3))
    model, forest, _ = fit(X, y, seed=1, test_size=0.2)
    rng = np.random.default_rng(0)
    # Real rows, rows far outside the training range, and rows sitting exactly on thresholds.
    probes = np.vstack([X, X * rng.uniform(-3, 3, X.shape), np.full((1, 8), 1e30)])
    expected = model.predict(with_derived(probes))
    np.testing.assert_allclose(forest.predict(with_derived(probes)), expected, rtol=1e-12, atol=1e-12)
    on_threshold = with_derived(X[:200]).copy()
    feature, threshold = forest.feature[0, 0], forest.threshold[0, 0]
    on_threshold[:, feature] = threshold
    np.testing.assert_allclose(forest.predict(on_threshold), model.predict(on_threshold), rtol=1e-12, atol=1e-12)
    saved = tmp_path / "m.npz"
    forest.save(saved)
    np.testing.assert_array_equal(Forest.load(saved).predict(with_derived(X)), forest.predict(with_derived(X)))


def test_rejects_a_csv_with_the_wrong_header(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    result = train(bad, tmp_path / "out", check=False)
    assert result.returncode != 0
    assert "header must be MedInc,HouseAge" in result.stderr


def test_rejects_non_finite_values(tmp_path):
    path = write_synthetic_csv(tmp_path / "d.csv", rows=20)
    lines = path.read_text().splitlines()
    lines[3] = "nan," + lines[3].split(",", 1)[1]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="non-finite"):
        load_csv(path)
