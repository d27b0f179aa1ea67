"""Bounds checks of the index arrays inside restored scikit-learn trees.

Some scikit-learn objects hold raw indices that their compiled code follows without bounds
checks: the nodes of a decision tree (``sklearn.tree._tree.Tree``: child and feature
indices), of a histogram gradient-boosting predictor (``TreePredictor``), of a KD or ball
tree (``KDTree``, ``BallTree``: sample indices and node ranges) and the weights of their
distance metric. skops restores them faithfully, so a crafted file could point them outside
their arrays and crash the process (or read foreign memory) on the first ``predict``. This
is why skops does not trust ``Tree`` and ``TreePredictor`` by default; tsforecast trusts
them, and the other scikit-learn classes, only after :func:`check_indices` has verified
every such index of the restored estimator. Children must come after their parent, so a
tree walk also always ends. scipy B-splines are re-validated by scipy's own constructor.
"""

import functools

import numpy as np

from tsforecast.persistence.archive import ModelFileError

__all__ = ["check_indices"]


def check_indices(obj, context):
    """Raise :class:`ModelFileError` when an index array of ``obj`` points out of bounds.

    Parameters
    ----------
    obj : object
        A restored estimator; its attributes, containers and object arrays are searched.
    context : str
        What is being loaded, for the error message.
    """
    problem = _walk(obj, None, set())
    if problem is not None:
        raise ModelFileError(
            f"{context} holds an invalid {problem}; the file is corrupted or was crafted. "
            "Refusing to load it; use only model files written by tsforecast."
        )


def _walk(obj, n_features, seen):
    """The first problem found in ``obj`` and what it holds, or None.

    ``n_features`` is the input width of the closest enclosing estimator.
    """
    if id(obj) in seen or isinstance(obj, (str, bytes, int, float, type(None))):
        return None
    seen.add(id(obj))
    problem = _check_known(obj, n_features)
    if problem is not None:
        return problem
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        children = list(obj)
    elif isinstance(obj, np.ndarray):
        children = obj.ravel().tolist() if obj.dtype.kind == "O" else []
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        attributes = vars(obj)
        width = attributes.get("n_features_in_")
        if isinstance(width, (int, np.integer)):
            n_features = int(width)
        children = list(attributes.values())
    else:
        children = []
    for child in children:
        problem = _walk(child, n_features, seen)
        if problem is not None:
            return problem
    return None


@functools.cache
def _checked_types():
    from scipy.interpolate import BSpline
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    from sklearn.neighbors import BallTree, KDTree
    from sklearn.tree._tree import Tree

    return Tree, TreePredictor, (KDTree, BallTree), BSpline


def _check_known(obj, n_features):
    Tree, TreePredictor, BinaryTrees, BSpline = _checked_types()
    if isinstance(obj, Tree):
        return _tree_problem(obj, n_features)
    if isinstance(obj, TreePredictor):
        return _predictor_problem(obj, n_features)
    if isinstance(obj, BinaryTrees):
        return _binary_tree_problem(obj, n_features)
    if isinstance(obj, BSpline):
        try:
            BSpline(obj.t, obj.c, obj.k, extrapolate=obj.extrapolate)
        except (ValueError, TypeError, AttributeError) as exc:
            return f"B-spline ({exc})"
    return None


def _children_problem(left, right, internal):
    """Children of internal nodes must be later nodes of the same tree."""
    n = len(left)
    own = np.arange(n)[internal]
    for children in (left[internal], right[internal]):
        if np.any(children <= own) or np.any(children >= n):
            return "child index"
    return None


def _feature_problem(features, n_features):
    if np.any(features < 0) or (n_features is not None and np.any(features >= n_features)):
        return "feature index"
    return None


def _tree_problem(tree, n_features):
    state = tree.__getstate__()
    nodes = state["nodes"]
    if state["node_count"] != len(nodes) or (
        n_features is not None and tree.n_features != n_features
    ):
        return "decision tree (node count or input width)"
    left, right = nodes["left_child"], nodes["right_child"]
    internal = left != -1
    problem = _children_problem(left, right, internal) or _feature_problem(
        nodes["feature"][internal], tree.n_features
    )
    return None if problem is None else f"decision tree ({problem})"


def _predictor_problem(predictor, n_features):
    nodes = predictor.nodes
    internal = nodes["is_leaf"] == 0
    problem = _children_problem(nodes["left"], nodes["right"], internal) or _feature_problem(
        nodes["feature_idx"][internal], n_features
    )
    categorical = internal & (nodes["is_categorical"] != 0)
    bitsets = min(len(predictor.raw_left_cat_bitsets), len(predictor.binned_left_cat_bitsets))
    if problem is None and np.any(nodes["bitset_idx"][categorical] >= bitsets):
        problem = "category bitset index"
    return None if problem is None else f"gradient-boosting tree ({problem})"


def _binary_tree_problem(tree, n_features):
    data, idx_array, node_data, node_bounds = (np.asarray(a) for a in tree.get_arrays())
    n_samples, width = data.shape
    n_nodes = len(node_data)
    starts, ends = node_data["idx_start"], node_data["idx_end"]
    internal = np.flatnonzero(node_data["is_leaf"] == 0)
    problems = [
        (n_features is not None and width != n_features, "input width"),
        (len(idx_array) != n_samples or np.any(idx_array < 0)
         or np.any(idx_array >= n_samples), "sample index"),
        (np.any(starts < 0) or np.any(ends < starts) or np.any(ends > n_samples), "node range"),
        (len(internal) and 2 * internal.max() + 2 >= n_nodes, "child node"),
        (node_bounds.ndim != 3 or node_bounds.shape[1:] != (n_nodes, width), "node bounds"),
    ]
    state = tree.__getstate__()
    metric_state = state[11].__getstate__() if len(state) > 11 else None
    if metric_state is not None:
        vec, mat = np.asarray(metric_state[1]), np.asarray(metric_state[2])
        problems.append((vec.size > 1 and vec.shape != (width,), "metric weights"))
        problems.append((mat.size > 1 and mat.shape != (width, width), "metric matrix"))
    for failed, what in problems:
        if failed:
            return f"neighbours tree ({what})"
    return None
