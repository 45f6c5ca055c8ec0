"""The image runs what the tests run, as a numeric non-root user, on the configured port, with the
committed model and nothing fetched at build time but pinned packages."""
import fnmatch
import json
import re
import subprocess
import sys

from model_server.config import DEFAULT_MODEL_DIR

from .support import APP_DIR, SERVER_COMMAND


def instructions():
    text = re.sub(r"\\\n", " ", (APP_DIR / "Dockerfile").read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def last_stage():
    pairs = instructions()
    start = max(i for i, (k, _) in enumerate(pairs) if k == "FROM")
    return pairs[start:]


def test_cmd_is_the_command_the_tests_start():
    (cmd,) = [rest for k, rest in last_stage() if k == "CMD"]
    assert json.loads(cmd) == SERVER_COMMAND
    assert [rest for k, rest in last_stage() if k == "WORKDIR"] == ["/app"]
    assert APP_DIR.name == "app"  # the tests run the command from app/, the image from /app


def test_runs_as_a_numeric_non_root_user():
    (user,) = [rest for k, rest in last_stage() if k == "USER"]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0
    assert gid == "" or (gid.isdigit() and int(gid) != 0)


def test_one_slim_base_of_the_tested_python():
    bases = [rest.split()[0] for k, rest in instructions() if k == "FROM"]
    assert bases == [f"python:{sys.version_info.major}.{sys.version_info.minor}-slim"]


def test_port_is_an_argument_and_environment_default_8000():
    stage = last_stage()
    assert ("ARG", "PORT=8000") in stage
    env = " ".join(rest for k, rest in stage if k == "ENV")
    assert "PORT=$PORT" in env.split()
    assert ("EXPOSE", "$PORT") in stage


def test_the_only_step_that_runs_is_installing_pinned_runtime_requirements():
    # No training, no download, no other stage or image: the package index is the build's
    # only network dependency, and everything else comes from the (hashed) build context.
    assert [rest for k, rest in instructions() if k == "RUN"] == ["pip install -r requirements.txt"]
    assert not [k for k, _ in instructions() if k == "ADD"]
    assert not [rest for k, rest in instructions() if k == "COPY" and "--from" in rest]
    runtime = (APP_DIR / "requirements.txt").read_text().lower()
    assert "scikit-learn" not in runtime and "pytest" not in runtime
    assert all("==" in line for line in runtime.splitlines() if line and not line.startswith("#"))


def test_layers_from_least_to_most_often_changed():
    steps = [(k, rest) for k, rest in instructions() if k in ("COPY", "RUN")]
    assert steps == [
        ("COPY", "requirements.txt ./"),
        ("RUN", "pip install -r requirements.txt"),
        ("COPY", "models ./models"),
        ("COPY", "model_server ./model_server"),
    ]


def test_copies_the_committed_model_to_where_the_server_looks_for_it():
    env = " ".join(rest for k, rest in instructions() if k == "ENV").split()
    assert f"MODEL_DIR=/app/{DEFAULT_MODEL_DIR.relative_to(APP_DIR)}" in env
    assert {p.name for p in DEFAULT_MODEL_DIR.iterdir()} == {"model.npz", "metadata.json"}
    # A rough .dockerignore check (Docker's own matching is tested in test/components.test.ts).
    patterns = [line for line in (APP_DIR / ".dockerignore").read_text().splitlines() if line and line[0] not in "#!"]
    model_paths = ["models", "models/california-housing", "models/california-housing/model.npz"]
    assert not [(p, m) for p in patterns for m in model_paths if fnmatch.fnmatch(m, p)]


def test_serving_does_not_import_training_libraries():
    code = "import sys, model_server.__main__; print(sorted(m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=APP_DIR, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
