"""The image runs what the tests run, as a numeric non-root user, on the configured port."""
import json
import re
import subprocess
import sys

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


def test_multi_stage_slim_base_of_the_tested_python():
    bases = [rest.split()[0] for k, rest in instructions() if k == "FROM"]
    assert len(bases) >= 2
    tested = f"python:{sys.version_info.major}.{sys.version_info.minor}-slim"
    assert all(base == tested for base in bases), bases


def test_port_is_an_argument_and_environment_default_8000():
    stage = last_stage()
    assert ("ARG", "PORT=8000") in stage
    env = " ".join(rest for k, rest in stage if k == "ENV")
    assert "PORT=$PORT" in env.split()
    assert ("EXPOSE", "$PORT") in stage


def test_trains_at_build_and_runtime_installs_runtime_requirements_only():
    build = instructions()[: len(instructions()) - len(last_stage())]
    assert any(k == "RUN" and "model_server.train" in rest for k, rest in build)
    runtime_runs = [rest for k, rest in last_stage() if k == "RUN"]
    assert runtime_runs == ["pip install -r requirements.txt"]
    runtime = (APP_DIR / "requirements.txt").read_text().lower()
    assert "scikit-learn" not in runtime and "pytest" not in runtime
    assert all("==" in line for line in runtime.splitlines() if line and not line.startswith("#"))


def test_serving_does_not_import_training_libraries():
    code = "import sys, model_server.__main__; print(sorted(m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=APP_DIR, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
