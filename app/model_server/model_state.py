"""The loaded model and whether it is ready; loaded once, in the background."""
import hashlib
import io
import json
import logging
import time

from .features import FEATURE_NAMES, with_derived
from .forest import Forest

log = logging.getLogger("model_server")

MODEL_FILE = "model.npz"
METADATA_FILE = "metadata.json"


class ModelState:
    def __init__(self, model_dir, name):
        self.model_dir = model_dir
        self.name = name
        self.forest = None
        self.metadata = {}
        self.version = None
        self.ready = False
        self.error = None

    def load(self, delay_seconds=0.0):
        """Load the model; returns True on success. Sets `ready` last, so readers never see a
        half-loaded model."""
        try:
            if delay_seconds:
                time.sleep(delay_seconds)  # MODEL_LOAD_DELAY_SECONDS: simulates a slow load in tests
            metadata = json.loads((self.model_dir / METADATA_FILE).read_text())
            if metadata.get("feature_names") != list(FEATURE_NAMES):
                raise ValueError(f"model expects features {metadata.get('feature_names')}")
            forest = Forest.load(io.BytesIO(verified_model_bytes(self.model_dir, metadata)))
            forest.predict(with_derived(_warm_up_row()))  # fail now, not on the first request
            self.forest, self.metadata = forest, metadata
            self.version = str(metadata["model_version"])
            self.ready = True
            log.info("model %s version %s loaded from %s", self.name, self.version, self.model_dir)
            return True
        except Exception as exc:  # any failure leaves the server not ready, with the reason
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("could not load model from %s: %s", self.model_dir, self.error)
            return False

    def predict(self, X):
        return self.forest.predict(with_derived(X))


def verified_model_bytes(model_dir, metadata):
    """The model file's bytes, if their sha256 is the one metadata.json records: a model file
    swapped, truncated or corrupted after training is refused, not served."""
    data = (model_dir / MODEL_FILE).read_bytes()
    expected = metadata.get("model_sha256")
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ValueError(f"{MODEL_FILE} has sha256 {actual} but {METADATA_FILE} records {expected}")
    return data


def _warm_up_row():
    import numpy as np

    return np.array([[3.0, 30.0, 5.0, 1.0, 1000.0, 3.0, 35.0, -119.0]])
