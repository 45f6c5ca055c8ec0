"""The benchmark's pure helpers (the benchmark itself needs wrk and is not part of the tests)."""
import numpy as np
import pytest

from bench.benchmark import parse_duration_ms, parse_wrk, r2_score, split_rows, verdict

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8123/predict
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.33ms    1.37ms  25.91ms   87.29%
    Req/Sec     3.65k   756.35     4.96k    74.00%
  Latency Distribution
     50%  881.00us
     75%    2.40ms
     90%    3.77ms
     99%    1.04s
  36364 requests in 10.02s, 10.30MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:   3628.05
Transfer/sec:      1.03MB
"""


def test_parse_wrk():
    assert parse_wrk(WRK_OUTPUT) == {"rps": 3628.05, "p50_ms": 0.881, "p75_ms": 2.4, "p90_ms": 3.77, "p99_ms": 1040.0,
                                     "requests": 36364, "non_2xx": 5, "socket_errors": 3}


def test_parse_duration():
    assert parse_duration_ms("250us") == pytest.approx(0.25)
    assert parse_duration_ms("1.5m") == 90000


def test_r2_score_and_split():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert r2_score(y, y) == 1.0 and r2_score(y, np.full(4, 2.5)) == 0.0
    train, test = split_rows(101, 0.2, seed=1)
    assert len(test) == 20 and sorted(np.concatenate([train, test]).tolist()) == list(range(101))
    assert (split_rows(101, 0.2, seed=1)[1] == test).all()


def test_verdict():
    assert verdict("predict_rps", 2000) and not verdict("predict_rps", 1999)
    assert verdict("peak_rss_mb", 200) and not verdict("peak_rss_mb", 201)
