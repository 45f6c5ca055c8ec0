import pytest

from .support import Server, train, write_synthetic_csv

MAX_BATCH_ROWS = 50
MAX_BODY_BYTES = 64 * 1024


@pytest.fixture(scope="session")
def data_csv(tmp_path_factory):
    return write_synthetic_csv(tmp_path_factory.mktemp("data") / "housing.csv")


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory, data_csv):
    out = tmp_path_factory.mktemp("model")
    train(data_csv, out)
    return out


@pytest.fixture(scope="session")
def server(model_dir):
    """One server for the API tests, with small caps so the cap errors are cheap to reach."""
    s = Server(model_dir, MAX_BATCH_ROWS=MAX_BATCH_ROWS, MAX_BODY_BYTES=MAX_BODY_BYTES).wait_ready()
    yield s
    assert s.stop() == 0, s.output()
