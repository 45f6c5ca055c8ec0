"""Benchmark the model server the way the image runs it, against the issue's five targets.

    cd app && .venv/bin/python -m bench.benchmark [--data CSV] [--json results.json]

Splits the CSV 80/20 (seeded), trains on the 80% with the training CLI, starts
`python -m model_server` from app/, and measures: /predict single-row throughput and
latency with wrk (8 connections, 10 s), V1 batch-of-1,000 latency, process start to
/health 200, peak RSS (VmHWM) of the server process, and R² of the served predictions on
the 20% it never saw. Needs `wrk` (apt-get install wrk).
"""
import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

APP_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA = APP_DIR.parent.parent / "shared" / "data" / "california_housing.csv"
SERVER_COMMAND = [sys.executable, "-m", "model_server"]  # the image's CMD, with this interpreter
SAMPLE = [8.3252, 41.0, 6.98, 1.02, 322.0, 2.55, 37.88, -122.23]
TARGETS = {
    "predict_rps": (">=", 2000), "predict_p99_ms": ("<=", 10), "batch1000_p50_ms": ("<=", 20),
    "start_to_ready_s": ("<=", 2), "peak_rss_mb": ("<=", 200), "r2_unseen": (">=", 0.84),
}


# --- pure helpers (tested in tests/test_bench_helpers.py) ---

def parse_duration_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def parse_wrk(output):
    """Requests/s, latency percentiles (ms), and error counts from `wrk --latency` output."""
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percent, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M):
        result[f"p{percent}_ms"] = parse_duration_ms(value)
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = sum(map(int, socket_errors.groups())) if socket_errors else 0
    return result


def r2_score(y, predicted):
    y, predicted = np.asarray(y), np.asarray(predicted)
    return 1.0 - float(np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2))


def split_rows(n, test_fraction, seed):
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def verdict(name, value):
    op, target = TARGETS[name]
    return value >= target if op == ">=" else value <= target


# --- measurements ---

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model_dir, port):
    env = {**os.environ, "PORT": str(port), "MODEL_DIR": str(model_dir)}
    started = time.perf_counter()
    process = subprocess.Popen(SERVER_COMMAND, cwd=APP_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process, time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.005)


def stop_server(process):
    process.terminate()
    return process.wait(timeout=30)


def post_json(connection, path, body):
    connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    payload = response.read()
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status} {payload[:200]!r}")
    return json.loads(payload)


def served_predictions(port, X):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    predictions = []
    for start in range(0, len(X), 1000):
        body = json.dumps({"instances": X[start:start + 1000].tolist()})
        predictions += post_json(connection, "/v1/models/california-housing:predict", body)["predictions"]
    return np.array(predictions)


def batch_latency_ms(port, X, repeats):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    body = json.dumps({"instances": X[:1000].tolist()})
    times = []
    for _ in range(repeats + 5):
        started = time.perf_counter()
        post_json(connection, "/v1/models/california-housing:predict", body)
        times.append((time.perf_counter() - started) * 1e3)
    times = np.array(times[5:])  # the first few warm caches
    return {"p50": float(np.percentile(times, 50)), "p99": float(np.percentile(times, 99)), "max": float(times.max())}


def run_wrk(port, seconds, connections, threads, workdir):
    script = Path(workdir) / "predict.lua"
    script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                      f"wrk.body = '{json.dumps({'features': SAMPLE})}'\n")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
               f"http://127.0.0.1:{port}/predict"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output), " ".join(command[:-2] + ["predict.lua", command[-1]]), output


def peak_rss_mb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 ** 2:.0f} GiB, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"CSV (default {DEFAULT_DATA})")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk load (default 10)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads; it shares the CPUs with the server")
    parser.add_argument("--starts", type=int, default=5, help="process starts to time (default 5)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("benchmark: wrk not found (apt-get install -y wrk)")

    with tempfile.TemporaryDirectory() as workdir:
        data = np.loadtxt(args.data, delimiter=",", skiprows=1)
        header = args.data.read_text().split("\n", 1)[0]
        train_rows, test_rows = split_rows(len(data), 0.2, args.seed)
        train_csv = Path(workdir) / "train.csv"
        np.savetxt(train_csv, data[train_rows], delimiter=",", header=header, comments="", fmt="%.10g")
        model_dir = Path(workdir) / "model"
        subprocess.run([sys.executable, "-m", "model_server.train", "--data", str(train_csv), "--out", str(model_dir),
                        "--seed", str(args.seed)], cwd=APP_DIR, check=True, stdout=subprocess.DEVNULL)

        start_times = []
        for _ in range(args.starts):
            process, seconds = start_server(model_dir, free_port())
            start_times.append(seconds)
            assert stop_server(process) == 0

        port = free_port()
        process, _ = start_server(model_dir, port)
        try:
            X_test, y_test = data[test_rows, :8], data[test_rows, 8]
            r2 = r2_score(y_test, served_predictions(port, X_test))
            batch = batch_latency_ms(port, X_test, repeats=200)
            run_wrk(port, 2, args.connections, args.wrk_threads, workdir)  # warm-up
            load, wrk_command, wrk_output = run_wrk(port, args.duration, args.connections, args.wrk_threads, workdir)
            rss = peak_rss_mb(process.pid)
        finally:
            exit_code = stop_server(process)

    results = {
        "predict_rps": load["rps"], "predict_p50_ms": load["p50_ms"], "predict_p99_ms": load["p99_ms"],
        "predict_errors": load["non_2xx"] + load["socket_errors"], "batch1000_p50_ms": batch["p50"],
        "batch1000_p99_ms": batch["p99"], "start_to_ready_s": float(np.median(start_times)),
        "start_to_ready_max_s": max(start_times), "peak_rss_mb": rss, "r2_unseen": r2,
        "test_rows": int(len(test_rows)), "sigterm_exit_code": exit_code, "wrk_command": wrk_command,
        "machine": machine(), "data": str(args.data),
    }
    rows = [
        ("/predict single row, 8 conns: req/s", "predict_rps", f"{results['predict_rps']:,.0f}"),
        ("/predict p50 / p99 latency", "predict_p99_ms", f"{results['predict_p50_ms']:.2f} / {results['predict_p99_ms']:.2f} ms"),
        ("V1 batch of 1,000 rows p50 (p99)", "batch1000_p50_ms", f"{batch['p50']:.1f} ms ({batch['p99']:.1f} ms)"),
        ("start -> /health 200, median (max)", "start_to_ready_s", f"{results['start_to_ready_s']:.2f} s ({results['start_to_ready_max_s']:.2f} s)"),
        ("peak RSS (VmHWM) after load", "peak_rss_mb", f"{rss:.0f} MB"),
        (f"R² on unseen 20% ({len(test_rows)} rows)", "r2_unseen", f"{r2:.4f}"),
    ]
    print(f"machine: {results['machine']}\nload: {wrk_command}\n")
    print(f"| figure | target | measured | met |\n| --- | --- | --- | --- |")
    for label, key, shown in rows:
        op, target = TARGETS[key]
        print(f"| {label} | {'≥' if op == '>=' else '≤'} {target:,} | {shown} | {'yes' if verdict(key, results[key]) else 'NO'} |")
    print(f"\n/predict errors during load: {results['predict_errors']}; exit code after SIGTERM: {exit_code}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(verdict(k, results[k]) for k in TARGETS) and results["predict_errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
