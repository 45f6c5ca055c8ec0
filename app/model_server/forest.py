"""A gradient-boosted tree ensemble stored as compact numpy arrays, with a vectorised predict.

scikit-learn's predict costs ~0.8 ms per single-row call, and importing it adds ~1.1 s and
~95 MB to the server's start (measured, app/README.md), so the server uses this instead. Every tree is padded to a perfect binary tree of
depth D, so a node's children are at 2i+1 and 2i+2 and all rows and trees advance one level
per numpy step: D steps in total, whatever the batch size.
"""
import io
import zipfile

import numpy as np

# A fixed member timestamp (the zip format's earliest), so the file's bytes, and so its
# sha256, depend only on the model: retraining on the same data gives the same file.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class Forest:
    def __init__(self, feature, threshold, leaf_value, baseline):
        # feature, threshold: (trees, 2**D - 1) internal nodes; leaf_value: (trees, 2**D)
        self.feature = np.ascontiguousarray(feature, dtype=np.intp)
        self.threshold = np.ascontiguousarray(threshold, dtype=np.float64)
        self.leaf_value = np.ascontiguousarray(leaf_value, dtype=np.float64)
        self.baseline = float(baseline)
        self.n_trees, n_internal = self.feature.shape
        self.depth = int(np.log2(n_internal + 1))
        if self.threshold.shape != self.feature.shape or self.leaf_value.shape != (
            self.n_trees,
            n_internal + 1,
        ):
            raise ValueError("inconsistent forest array shapes")
        # Serving layout: each tree as one perfect tree of 2**(D+1) - 1 nodes (internal nodes,
        # then leaves), all trees in one flat array, so one gather step serves every tree.
        size = 2 * n_internal + 1
        per_tree = lambda internal, leaves: np.hstack((internal, leaves)).ravel()
        self._feature_flat = per_tree(self.feature, np.zeros_like(self.leaf_value, dtype=np.intp))
        self._threshold_flat = per_tree(self.threshold, np.full_like(self.leaf_value, np.inf))
        self._value_flat = per_tree(np.zeros_like(self.threshold), self.leaf_value)
        self._roots = np.arange(self.n_trees, dtype=np.intp) * size
        left = np.minimum(2 * np.arange(size, dtype=np.intp) + 1, size - 1)  # leaves: never followed
        self._left_flat = (self._roots[:, None] + left[None, :]).ravel()

    def predict(self, X):
        """X: (n, n_features) float64, finite. Returns (n,) float64."""
        n, width = X.shape
        x_flat = np.ascontiguousarray(X, dtype=np.float64).ravel()
        # One entry per (row, tree), 1-D because take() on 1-D arrays is the cheapest gather.
        row_base = np.repeat(np.arange(0, n * width, width, dtype=np.intp), self.n_trees)
        node = np.tile(self._roots, n)
        for _ in range(self.depth):
            go_right = x_flat.take(row_base + self._feature_flat.take(node)) > self._threshold_flat.take(node)
            node = self._left_flat.take(node) + go_right
        return self._value_flat.take(node).reshape(n, self.n_trees).sum(axis=1) + self.baseline

    def arrays(self):
        return {
            "feature": self.feature.astype(np.int16),
            "threshold": self.threshold,
            "leaf_value": self.leaf_value,
            "baseline": np.array([self.baseline]),
        }

    def save(self, path):
        """Write an .npz (what np.savez writes, minus its current-time zip timestamps)."""
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
            for name, array in sorted(self.arrays().items()):
                member = io.BytesIO()
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
                archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME), member.getvalue())

    @classmethod
    def load(cls, file):
        """file: a path or a binary file object."""
        with np.load(file, allow_pickle=False) as data:
            return cls(data["feature"], data["threshold"], data["leaf_value"], data["baseline"][0])

    @classmethod
    def from_sklearn(cls, model):
        """Export a fitted HistGradientBoostingRegressor (numeric features, no missing values).

        Uses its private `_predictors`/`_baseline_prediction`; the scikit-learn version is pinned
        and a test checks the export predicts exactly what scikit-learn predicts.
        """
        trees = [predictors[0].nodes for predictors in model._predictors]
        depth = max(1, max(int(nodes["depth"].max()) for nodes in trees))
        n_internal = 2**depth - 1
        feature = np.zeros((len(trees), n_internal), dtype=np.intp)
        threshold = np.full((len(trees), n_internal), np.inf)
        leaf_value = np.zeros((len(trees), n_internal + 1))
        for t, nodes in enumerate(trees):
            _pad_tree(nodes, 0, 0, depth, feature[t], threshold[t], leaf_value[t])
        baseline = float(np.ravel(model._baseline_prediction)[0])
        return cls(feature, threshold, leaf_value, baseline)


def _pad_tree(nodes, source, position, depth, feature, threshold, leaf_value):
    """Copy sklearn node `source` to perfect-tree `position`. A leaf above the last level
    becomes a node that always goes left (threshold +inf) with the leaf copied into both
    children, so every path is exactly `depth` steps long."""
    n_internal = feature.shape[0]
    node = nodes[source]
    if position >= n_internal:
        if not node["is_leaf"]:
            raise ValueError("tree deeper than the padded depth")
        leaf_value[position - n_internal] = node["value"]
        return
    if node["is_leaf"]:
        left = right = source
    else:
        if node["is_categorical"]:
            raise ValueError("categorical splits are not supported")
        feature[position] = node["feature_idx"]
        threshold[position] = node["num_threshold"]
        left, right = node["left"], node["right"]
    _pad_tree(nodes, left, 2 * position + 1, depth, feature, threshold, leaf_value)
    _pad_tree(nodes, right, 2 * position + 2, depth, feature, threshold, leaf_value)
