"""Turn request bodies into (n, 8) float64 arrays, or an InputError that names the problem.

Hand-written rather than pydantic models: the happy path checks whole batches with
C-level iteration (set/map) and only walks rows one by one to describe an error.
"""
import itertools

import numpy as np
import orjson

from .features import FEATURE_NAMES, N_FEATURES

_NUMBER_TYPES = {int, float}
_FEATURE_SET = frozenset(FEATURE_NAMES)
_V2_DATATYPES = {"FP32": np.float32, "FP64": np.float64}


class InputError(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def parse_json_object(body):
    if not body:
        raise InputError("request body is empty; expected a JSON object")
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc}") from None
    if type(value) is not dict:
        raise InputError(f"expected a JSON object, got {_json_type(value)}")
    return value


def field(obj, name, context=""):
    if name not in obj:
        raise InputError(f"missing field '{context}{name}'")
    return obj[name]


def single_row(value):
    """The /predict contract: exactly 8 numbers."""
    if type(value) is not list:
        raise InputError(f"'features' must be a list of {N_FEATURES} numbers, got {_json_type(value)}")
    return _finite(_to_array(_check_row(value, "features"), "features"), "features")[None, :]


def rows(value, max_rows, name, allow_objects=False):
    """A batch: a non-empty list of rows, each 8 numbers (or, for V1, an object by feature name)."""
    if type(value) is not list:
        raise InputError(f"'{name}' must be a list of rows, got {_json_type(value)}")
    _check_count(len(value), max_rows, name)
    if set(map(type, value)) == {list} and set(map(len, value)) == {N_FEATURES} and set(
        map(type, itertools.chain.from_iterable(value))
    ) <= _NUMBER_TYPES:
        return _finite(_to_array(value, name), name)
    checked = []
    for i, row in enumerate(value):
        where = f"{name}[{i}]"
        if type(row) is list:
            checked.append(_check_row(row, where))
        elif type(row) is dict and allow_objects:
            checked.append(_object_row(row, where))
        else:
            shape = "a list of 8 numbers or an object keyed by feature name" if allow_objects else "a list of 8 numbers"
            raise InputError(f"{where}: expected {shape}, got {_json_type(row)}")
    return _finite(_to_array(checked, name), name)


def v2_tensor(body, max_rows):
    """The single [N, 8] FP32/FP64 input tensor of a V2 inference request."""
    inputs = field(body, "inputs")
    if type(inputs) is not list or len(inputs) != 1 or type(inputs[0]) is not dict:
        raise InputError("'inputs' must be a list holding exactly one tensor object")
    tensor = inputs[0]
    name = field(tensor, "name", "inputs[0].")
    if type(name) is not str:
        raise InputError("'inputs[0].name' must be a string")
    datatype = field(tensor, "datatype", "inputs[0].")
    if type(datatype) is not str:
        raise InputError(f"'inputs[0].datatype' must be a string (FP32 or FP64), got {_json_type(datatype)}")
    if datatype not in _V2_DATATYPES:
        raise InputError(f"'inputs[0].datatype' {datatype!r} is not supported; use FP32 or FP64")
    shape = field(tensor, "shape", "inputs[0].")
    if type(shape) is not list or len(shape) != 2 or any(type(d) is not int for d in shape) or shape[1] != N_FEATURES:
        raise InputError(f"'inputs[0].shape' must be [N, {N_FEATURES}], got {shape!r}")
    n = shape[0]
    _check_count(n, max_rows, "inputs[0]")
    data = field(tensor, "data", "inputs[0].")
    if type(data) is not list:
        raise InputError(f"'inputs[0].data' must be a list, got {_json_type(data)}")
    if data and type(data[0]) is list:  # nested [[...], ...] form
        if len(data) != n:
            raise InputError(f"'inputs[0].data' has {len(data)} rows but shape says {n}")
        array = rows(data, max_rows, "inputs[0].data")
    else:  # flat row-major form
        if len(data) != n * N_FEATURES:
            raise InputError(f"'inputs[0].data' has {len(data)} values but shape {shape} needs {n * N_FEATURES}")
        array = _finite(_to_array(_check_row(data, "inputs[0].data", len(data)), "inputs[0].data"),
                        "inputs[0].data").reshape(n, N_FEATURES)
    if datatype == "FP32":
        with np.errstate(over="ignore"):
            array = array.astype(np.float32)
        array = _finite(array, "inputs[0].data (as FP32)").astype(np.float64)
    return array


def _check_count(n, max_rows, name):
    if n == 0:
        raise InputError(f"'{name}' is empty; send at least one row")
    if n < 0:
        raise InputError(f"'{name}' has a negative row count")
    if n > max_rows:
        raise InputError(f"'{name}' has {n} rows; the limit is {max_rows} (MAX_BATCH_ROWS)", status=413)


def _check_row(row, where, expected=N_FEATURES):
    if len(row) != expected:
        raise InputError(f"{where}: expected {expected} numbers, got {len(row)}")
    if set(map(type, row)) <= _NUMBER_TYPES:  # the common case, checked at C speed
        return row
    for j, v in enumerate(row):
        if type(v) not in _NUMBER_TYPES:
            raise InputError(f"{where}[{j}]: expected a number, got {_json_type(v)}")
    return row


def _object_row(row, where):
    missing = [n for n in FEATURE_NAMES if n not in row]
    unknown = sorted(k for k in row if k not in _FEATURE_SET)
    if missing or unknown:
        raise InputError(f"{where}: missing features {missing}, unknown features {unknown}")
    return _check_row([row[n] for n in FEATURE_NAMES], where)


def _to_array(values, where):
    try:
        return np.array(values, dtype=np.float64)
    except OverflowError:  # an integer beyond float range
        raise InputError(f"{where}: a number is too large") from None


def _finite(array, where):
    if not np.isfinite(array).all():
        raise InputError(f"{where}: numbers must be finite (no NaN, Infinity or overflow)")
    return array


def _json_type(value):
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )
