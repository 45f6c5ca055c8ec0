"""Helpers for the tests: synthetic data, training through the CLI, a real server process."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

APP_DIR = Path(__file__).resolve().parent.parent
# What the image's CMD runs; the tests run the same module with the test interpreter.
SERVER_COMMAND = ["python", "-m", "model_server"]
COLUMNS = ["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude",
           "MedHouseVal"]
SAMPLE = [8.3252, 41.0, 6.98, 1.02, 322.0, 2.55, 37.88, -122.23]


def write_synthetic_csv(path, rows=3000, seed=0):
    """Plausible California-like features and a learnable, non-linear target."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([
        rng.uniform(0.5, 15, rows), rng.integers(1, 53, rows).astype(float), rng.uniform(2, 10, rows),
        rng.uniform(0.8, 1.5, rows), rng.integers(3, 5000, rows).astype(float), rng.uniform(1, 6, rows),
        rng.uniform(32.5, 42, rows), rng.uniform(-124.3, -114.3, rows),
    ])
    coast = np.abs((X[:, 6] - 34) + (X[:, 7] + 118))  # distance from a diagonal "coast line"
    y = 0.35 * X[:, 0] + 0.01 * X[:, 1] - 0.25 * coast + 0.5 + rng.normal(0, 0.1, rows)
    y = np.clip(y, 0.15, 5.00001)
    with open(path, "w") as f:
        f.write(",".join(COLUMNS) + "\n")
        np.savetxt(f, np.column_stack([X, y]), delimiter=",", fmt="%.6g")
    return path


def train(data, out, seed=42, check=True):
    return subprocess.run([sys.executable, "-m", "model_server.train", "--data", str(data), "--out", str(out),
                           "--seed", str(seed)], cwd=APP_DIR, capture_output=True, text=True, check=check)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m model_server` as a child process, started from app/ like the image does."""

    def __init__(self, model_dir, **env):
        self.port = int(env.pop("PORT", 0)) or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = {k: v for k, v in os.environ.items() if k not in ("MODEL_DIR", "MODEL_NAME", "PORT")}
        environ.update(PORT=str(self.port), MODEL_DIR=str(model_dir), **{k: str(v) for k, v in env.items()})
        self.started_at = time.monotonic()
        self.process = subprocess.Popen([sys.executable, *SERVER_COMMAND[1:]], cwd=APP_DIR, env=environ,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.client = httpx.Client(base_url=self.url, timeout=10)

    def wait_listening(self, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited {self.process.returncode}: {self.output()}")
            try:
                return self.client.get("/v2/health/live")
            except httpx.TransportError:
                time.sleep(0.02)
        raise TimeoutError("server did not start listening")

    def wait_ready(self, timeout=15):
        self.wait_listening(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.client.get("/health").status_code == 200:
                return self
            time.sleep(0.02)
        raise TimeoutError("model did not load")

    def alive(self):
        return self.process.poll() is None and self.client.get("/v2/health/live").status_code == 200

    def stop(self):
        self.client.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def output(self):
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stdout.read().decode(errors="replace")
