"""Input features and the derived features the model is trained and served on.

Rotated coordinates let axis-aligned tree splits follow diagonal geography (coast,
valleys), which lifts R² by ~0.01 and lets a much smaller ensemble meet the accuracy
target: fewer trees is what keeps serving fast.
"""
import numpy as np

FEATURE_NAMES = (
    "MedInc",
    "HouseAge",
    "AveRooms",
    "AveBedrms",
    "Population",
    "AveOccup",
    "Latitude",
    "Longitude",
)
TARGET_NAME = "MedHouseVal"
N_FEATURES = len(FEATURE_NAMES)

# Angles (degrees) of the rotated coordinate axes; 0 and 90 are latitude/longitude themselves.
ROTATION_DEGREES = (15, 30, 45, 60, 75, 105, 120, 135, 150, 165)
_COS = np.cos(np.deg2rad(ROTATION_DEGREES))
_SIN = np.sin(np.deg2rad(ROTATION_DEGREES))


def with_derived(X):
    """Return X (n, 8) float64 with the rotated coordinates appended (n, 18).

    Element-wise products and sums (not a matrix product) so the result is bit-identical
    for any batch size, in training and in serving.
    """
    lat = X[:, 6:7]
    lon = X[:, 7:8]
    return np.hstack((X, lat * _COS + lon * _SIN))
