"""Model files hold any scikit-learn (LightGBM, XGBoost) estimator, safely.

Every regressor and transformer that scikit-learn lists either round-trips inside a
WindowForecaster with identical predictions, or is refused at save time with a message that
names it (the list of such refusals is explicit below). The full sweep is marked ``slow``;
the default run covers a representative subset, the save-time verification and the refusal
of crafted files.
"""

import io
import json
import warnings
import zipfile

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.feature_selection import f_regression
from sklearn.linear_model import Ridge
from sklearn.neighbors import KDTree, KNeighborsRegressor
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils import all_estimators, get_tags

from tsforecast import WindowForecaster
from tsforecast.persistence import FORMAT_VERSION, ModelFileError, codec, load, save
from tsforecast.persistence.index_checks import check_indices


# ------------------------------------------------------------------ the estimators
def _pair():
    return [("ridge", Ridge()), ("knn", KNeighborsRegressor(n_neighbors=3))]


# Constructor arguments: required sub-estimators, sizes that fit six-value windows and
# 2-step targets, fewer trees so that the sweep stays short.
REGRESSOR_ARGS = {
    "AdaBoostRegressor": lambda: {"n_estimators": 10},
    "BaggingRegressor": lambda: {"n_estimators": 5},
    "CCA": lambda: {"n_components": 1},
    "ExtraTreesRegressor": lambda: {"n_estimators": 10},
    "GradientBoostingRegressor": lambda: {"n_estimators": 20},
    "HistGradientBoostingRegressor": lambda: {"max_iter": 20},
    "MultiOutputRegressor": lambda: {"estimator": Ridge()},
    "PLSCanonical": lambda: {"n_components": 1},
    "RadiusNeighborsRegressor": lambda: {"radius": 5.0},
    "RandomForestRegressor": lambda: {"n_estimators": 10},
    "RegressorChain": lambda: {"estimator": Ridge()},
    "StackingRegressor": lambda: {"estimators": _pair()},
    "TransformedTargetRegressor": lambda: {"regressor": Ridge(), "transformer": StandardScaler()},
    "VotingRegressor": lambda: {"estimators": _pair()},
}
REGRESSOR_SKIPS = {"IsotonicRegression": "fits one input feature; windows have six"}

TRANSFORMER_ARGS = {
    "ColumnTransformer": lambda: {
        "transformers": [("scale", StandardScaler(), [0, 1, 2])], "remainder": "passthrough"},
    "DictionaryLearning": lambda: {"n_components": 3, "max_iter": 20},
    "FeatureUnion": lambda: {
        "transformer_list": [("pca", PCA(n_components=2)), ("scale", StandardScaler())]},
    "FunctionTransformer": lambda: {"func": np.log1p, "inverse_func": np.expm1},
    "GaussianRandomProjection": lambda: {"n_components": 3},
    "GenericUnivariateSelect": lambda: {"score_func": f_regression, "mode": "k_best", "param": 3},
    "KernelPCA": lambda: {"n_components": 3},
    "LatentDirichletAllocation": lambda: {"n_components": 3},
    "MiniBatchDictionaryLearning": lambda: {"n_components": 3, "max_iter": 5},
    "MiniBatchNMF": lambda: {"n_components": 3},
    "MissingIndicator": lambda: {"features": "all"},
    "NMF": lambda: {"n_components": 3},
    "Nystroem": lambda: {"n_components": 10},
    "OneHotEncoder": lambda: {"handle_unknown": "ignore"},
    "OrdinalEncoder": lambda: {"handle_unknown": "use_encoded_value", "unknown_value": -1},
    "QuantileTransformer": lambda: {"n_quantiles": 20},
    "RadiusNeighborsTransformer": lambda: {"radius": 5.0},
    "RandomTreesEmbedding": lambda: {"n_estimators": 5},
    "RFE": lambda: {"estimator": Ridge(), "n_features_to_select": 3},
    "RFECV": lambda: {"estimator": Ridge()},
    "SelectFdr": lambda: {"score_func": f_regression},
    "SelectFpr": lambda: {"score_func": f_regression},
    "SelectFromModel": lambda: {"estimator": Ridge()},
    "SelectFwe": lambda: {"score_func": f_regression},
    "SelectKBest": lambda: {"score_func": f_regression, "k": 3},
    "SelectPercentile": lambda: {"score_func": f_regression},
    "SequentialFeatureSelector": lambda: {"estimator": Ridge(), "n_features_to_select": 3},
    "SparseCoder": lambda: {"dictionary": np.random.default_rng(0).normal(size=(4, 6))},
    "SparseRandomProjection": lambda: {"n_components": 3},
    "StackingRegressor": lambda: {"estimators": _pair()},
    "TruncatedSVD": lambda: {"n_components": 3},
    "VotingRegressor": lambda: {"estimators": _pair()},
}
_LABELS = "a classifier: needs class labels, and the targets are continuous"
_SCORES = "given y, transform returns (x_scores, y_scores), which a Pipeline cannot pass on"
TRANSFORMER_SKIPS = {
    "CCA": _SCORES,
    "DictVectorizer": "reads dicts of named features, not numeric windows",
    "FeatureHasher": "reads dicts or strings, not numeric windows",
    "HashingVectorizer": "reads text documents",
    "IsotonicRegression": "fits one input feature; windows have six",
    "KernelCenterer": "centres a square kernel matrix, not windows",
    "LabelBinarizer": "encodes target labels: fit takes no X",
    "LabelEncoder": "encodes target labels: fit takes no X",
    "LinearDiscriminantAnalysis": _LABELS,
    "MiniBatchSparsePCA": "transforms one window (the forecast step) into a 1-D array",
    "MultiLabelBinarizer": "encodes sets of target labels: fit takes no X",
    "NeighborhoodComponentsAnalysis": _LABELS,
    "PatchExtractor": "extracts patches from images (3-D input)",
    "PLSCanonical": _SCORES,
    "PLSRegression": _SCORES,
    "PLSSVD": _SCORES,
    "SparsePCA": "transforms one window (the forecast step) into a 1-D array",
    "StackingClassifier": _LABELS,
    "TSNE": "has no transform for new windows (fit_transform only)",
    "VotingClassifier": _LABELS,
}
# Refused at save time, with the part of the message that says why.
REFUSED = {
    ("transformer", "Birch"): "skops cannot serialise it",
}
# Restored with identical state, but a fitted array that was a strided view comes back
# contiguous, and the matrix product then rounds differently in the last bit.
ROUNDING = {
    ("transformer", "TruncatedSVD"): "components_",
}

REGRESSORS = dict(all_estimators(type_filter="regressor"))
TRANSFORMERS = dict(all_estimators(type_filter="transformer"))


def make_regressor(name):
    return REGRESSORS[name](**REGRESSOR_ARGS.get(name, dict)())


def make_transformer_pipeline(name):
    return make_pipeline(TRANSFORMERS[name](**TRANSFORMER_ARGS.get(name, dict)()), Ridge())


def strategy_of(regressor):
    """Multi-output regressors predict both steps at once; the others one model per step."""
    return "multioutput" if get_tags(regressor).target_tags.multi_output else "direct"


@pytest.fixture(scope="module")
def series():
    t = np.arange(60.0)
    noise = np.random.default_rng(0).normal(0.0, 0.3, t.size)
    return 10 + 2 * np.sin(2 * np.pi * t / 12) + 0.05 * t + noise  # positive: Poisson, NMF


def fitted(regressor, series, strategy=None):
    forecaster = WindowForecaster(regressor, window=6, horizon=2, conformal=False,
                                  strategy=strategy or strategy_of(regressor), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and deprecation notes of the sweep
        return forecaster.fit(series)


def assert_round_trip(forecaster, path, rtol=0.0):
    loaded = load(save(forecaster, path))
    got, expected = loaded.predict(4).to_numpy(), forecaster.predict(4).to_numpy()
    if rtol:
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=0)
    else:
        np.testing.assert_array_equal(got, expected)
    return loaded


def sweep_case(kind, name, series, tmp_path):
    skips = REGRESSOR_SKIPS if kind == "regressor" else TRANSFORMER_SKIPS
    if name in skips:
        pytest.skip(f"{name}: {skips[name]}")
    if kind == "regressor":
        regressor, strategy = make_regressor(name), None
    else:
        regressor, strategy = make_transformer_pipeline(name), "direct"
    forecaster = fitted(regressor, series, strategy)
    refusal = REFUSED.get((kind, name))
    if refusal is None:
        assert_round_trip(forecaster, tmp_path / "m.tsf",
                          rtol=1e-14 if (kind, name) in ROUNDING else 0.0)
        return
    with pytest.raises(ModelFileError, match=name) as caught:
        save(forecaster, tmp_path / "m.tsf")
    assert refusal in str(caught.value)
    assert not (tmp_path / "m.tsf").exists()


# --------------------------------------------------------- representative subset
@pytest.mark.parametrize("make", [
    lambda: RandomForestRegressor(n_estimators=5),
    lambda: HistGradientBoostingRegressor(max_iter=10),
    lambda: KNeighborsRegressor(),
    lambda: make_pipeline(StandardScaler(), Ridge()),
    lambda: GradientBoostingRegressor(n_estimators=20),
], ids=["random_forest", "hist_gradient_boosting", "k_neighbors", "scaled_ridge",
        "gradient_boosting"])
@pytest.mark.parametrize("strategy", ["direct", "recursive"])
def test_representative_estimators_round_trip(series, tmp_path, make, strategy):
    forecaster = fitted(make(), series, strategy)
    loaded = assert_round_trip(forecaster, tmp_path / "m.tsf")
    assert type(loaded.estimators_[0]) is type(forecaster.estimators_[0])
    with zipfile.ZipFile(tmp_path / "m.tsf") as archive:
        assert "models/s0.skops" in archive.namelist()
    assert json.loads(zipfile.ZipFile(tmp_path / "m.tsf").read("manifest.json"))[
        "format_version"] == FORMAT_VERSION == 2


def test_sklearn_estimators_are_stored_whole_with_their_private_state(series, tmp_path):
    forecaster = fitted(HistGradientBoostingRegressor(max_iter=20), series, "direct")
    loaded = load(save(forecaster, tmp_path / "m.tsf"))
    assert hasattr(loaded.estimators_[0], "_loss")
    loaded_knn = load(save(fitted(KNeighborsRegressor(), series), tmp_path / "k.tsf"))
    assert loaded_knn.estimators_[0]._fit_method == "kd_tree"


# ------------------------------------------------------ verified at save time
@pytest.mark.parametrize("make, attribute", [
    (lambda: HistGradientBoostingRegressor(max_iter=5), "_"),
    (lambda: KNeighborsRegressor(), "_fit"),
])
def test_state_the_file_would_lose_is_refused_at_save(series, tmp_path, monkeypatch, make,
                                                      attribute):
    """The failure class of the old codec (private state dropped) fails the save."""
    forecaster = fitted(make(), series, "direct")
    name = type(forecaster.estimators_[0]).__name__
    monkeypatch.setattr(codec, "_holds_own_objects", lambda estimator: True)
    with pytest.raises(ModelFileError, match=rf"cannot save {name} faithfully: after loading, "
                                             rf"`WindowForecaster\.estimators_\[0\]\.{attribute}"
                                             r"\w*` is missing"):
        save(forecaster, tmp_path / "m.tsf")
    assert not (tmp_path / "m.tsf").exists()


def test_private_state_of_own_estimators_is_refused_at_save(tmp_path, series):
    from tsforecast import SeasonalNaive

    forecaster = SeasonalNaive(season_length=12).fit(series)
    forecaster._cache_anything = object()  # a rebuildable cache is fine
    save(forecaster, tmp_path / "ok.tsf")
    forecaster._weights = np.ones(3)
    with pytest.raises(ModelFileError, match=r"SeasonalNaive faithfully.*`SeasonalNaive\._weights` "
                                             "is missing"):
        save(forecaster, tmp_path / "m.tsf")


def test_unloadable_callables_are_refused_at_save(series, tmp_path):
    pipeline = make_pipeline(FunctionTransformer(lambda x: x * 2.0), Ridge())
    with pytest.raises(ModelFileError, match=r"cannot save `WindowForecaster\.regressor` "
                                             r"\(Pipeline\): it holds .*<lambda>.*a lambda"):
        save(fitted(pipeline, series), tmp_path / "m.tsf")
    assert not (tmp_path / "m.tsf").exists()


def test_numpy_and_sklearn_functions_are_kept(series, tmp_path):
    from sklearn.cluster import FeatureAgglomeration
    from sklearn.feature_selection import SelectKBest

    union = FeatureUnion([("pool", FeatureAgglomeration(n_clusters=2, pooling_func=np.mean)),
                          ("best", SelectKBest(f_regression, k=2))])
    pipeline = make_pipeline(FunctionTransformer(np.log1p), union, Ridge())
    loaded = assert_round_trip(fitted(pipeline, series, "direct"), tmp_path / "m.tsf")
    steps = loaded.estimators_[0].steps
    assert steps[0][1].func is np.log1p and steps[1][1].transformer_list[1][1].score_func is (
        f_regression)


def test_meta_estimators_of_own_estimators_stay_in_the_manifest(series, tmp_path):
    from tsforecast.windowing import LagTransformer

    pipeline = Pipeline([("lags", LagTransformer(lags=[0])), ("ridge", Ridge())])
    forecaster = fitted(pipeline, series, "multioutput")
    path = save(forecaster, tmp_path / "m.tsf")
    root = json.loads(zipfile.ZipFile(path).read("manifest.json"))["root"]
    fitted_pipeline = root["state"]["estimators_"][0]
    assert fitted_pipeline["__type__"] == "estimator"  # the Pipeline, with its steps
    assert json.dumps(fitted_pipeline).count('"skops_estimator"') == 1  # the Ridge
    np.testing.assert_array_equal(load(path).predict().to_numpy(), forecaster.predict().to_numpy())


# ------------------------------------------------------------ format versions
def test_version_1_files_keep_loading(series, tmp_path, monkeypatch):
    """A version-1 file stored scikit-learn estimators in the manifest."""
    forecaster = fitted(Ridge(alpha=0.5), series)
    with monkeypatch.context() as patch:
        patch.setattr(codec, "_holds_own_objects", lambda estimator: True)
        path = save(forecaster, tmp_path / "v2.tsf")
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    manifest["format_version"] = 1
    del manifest["versions"]["skops"]
    assert "skops" not in json.dumps(manifest)
    old = rewrite(path, tmp_path / "v1.tsf", {"manifest.json": json.dumps(manifest)})
    np.testing.assert_array_equal(load(old).predict().to_numpy(), forecaster.predict().to_numpy())


# ------------------------------------------------------------- crafted files
def rewrite(source, target, replace):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
    return target


def rewrite_skops(data, edit_schema=None, edit_array=None):
    """A skops archive with its schema or its arrays changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            raw = old.read(info.filename)
            if info.filename == "schema.json" and edit_schema:
                raw = edit_schema(raw.decode()).encode()
            elif info.filename.endswith(".npy") and edit_array:
                array = np.load(io.BytesIO(raw), allow_pickle=False)
                changed = edit_array(array)
                if changed is not None:
                    buffer = io.BytesIO()
                    np.save(buffer, changed, allow_pickle=False)
                    raw = buffer.getvalue()
            new.writestr(info.filename, raw)
    return out.getvalue()


@pytest.fixture(scope="module")
def log_pipeline_file(series, tmp_path_factory):
    forecaster = fitted(make_pipeline(FunctionTransformer(np.log1p), Ridge()), series, "direct")
    return save(forecaster, tmp_path_factory.mktemp("log") / "log.tsf")


@pytest.mark.parametrize("module, name, match", [
    ("os", "system", "os is not a library"),
    ("builtins", "eval", "builtins is not a library"),
    ("sklearn.pipeline", "deepcopy", "defined in another library"),
    ("sklearn.utils._testing", "assert_run_python_script_without_output", "may not refer to"),
    ("sklearn.datasets", "fetch_openml", "may not refer to"),
    ("numpy", "load", "not on the list of array functions"),
    ("numpy", "memmap", "opens files"),
])
def test_load_refuses_types_outside_the_allow_list(log_pipeline_file, tmp_path, module, name,
                                                   match):
    member = "models/s1.skops"
    data = zipfile.ZipFile(log_pipeline_file).read(member)

    def swap(schema):
        tree = json.loads(schema)
        nodes = [tree]
        while nodes:
            node = nodes.pop()
            if isinstance(node, dict):
                if node.get("__class__") == "log1p":
                    node["__class__"], node["__module__"] = name, module
                nodes.extend(node.values())
            elif isinstance(node, list):
                nodes.extend(node)
        return json.dumps(tree)

    crafted = rewrite(log_pipeline_file, tmp_path / "crafted.tsf",
                      {member: rewrite_skops(data, edit_schema=swap)})
    with pytest.raises(ModelFileError, match=rf"member '{member}' holds '{module}\.{name}'.*"
                                             rf"{match}"):
        load(crafted)


def test_load_refuses_trees_with_out_of_range_indices(series, tmp_path):
    forecaster = fitted(RandomForestRegressor(n_estimators=2), series)
    path = save(forecaster, tmp_path / "rf.tsf")
    member = "models/s1.skops"
    data = zipfile.ZipFile(path).read(member)

    def corrupt(array):
        if array.dtype.names and "left_child" in array.dtype.names:
            array = array.copy()
            array["left_child"][0] = 10**9
            return array
        return None

    crafted = rewrite(path, tmp_path / "crafted.tsf",
                      {member: rewrite_skops(data, edit_array=corrupt)})
    with pytest.raises(ModelFileError, match=r"invalid decision tree \(child index\).*crafted"):
        load(crafted)


def test_load_refuses_a_member_of_another_class(series, tmp_path):
    path = save(fitted(Ridge(), series), tmp_path / "m.tsf")
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    manifest["root"]["state"]["estimators_"][0]["class"] = "sklearn.linear_model._base.LinearRegression"
    crafted = rewrite(path, tmp_path / "crafted.tsf", {"manifest.json": json.dumps(manifest)})
    with pytest.raises(ModelFileError, match="not the sklearn.linear_model._base.LinearRegression"):
        load(crafted)


@pytest.mark.parametrize("field, value, problem", [
    (1, lambda idx: idx + 1000, "sample index"),
    (2, lambda nodes: nodes[:1], "child node"),
])
def test_neighbour_trees_with_out_of_range_indices_are_refused(field, value, problem):
    tree = KDTree(np.random.default_rng(0).normal(size=(40, 3)), leaf_size=5)
    state = list(tree.__getstate__())
    state[field] = value(state[field])
    crafted = KDTree.__new__(KDTree)
    crafted.__setstate__(tuple(state))
    with pytest.raises(ModelFileError, match=rf"invalid neighbours tree \({problem}\)"):
        check_indices({"tree": crafted}, "test")
    check_indices(tree, "test")


# --------------------------------------------------------------- other libraries
@pytest.mark.parametrize("module, cls", [("lightgbm", "LGBMRegressor"),
                                         ("xgboost", "XGBRegressor")])
def test_gradient_boosting_libraries_round_trip(series, tmp_path, module, cls):
    library = pytest.importorskip(module)
    regressor = getattr(library, cls)(n_estimators=10, random_state=0)
    if module == "lightgbm":
        regressor.set_params(verbose=-1, min_child_samples=5)
    assert_round_trip(fitted(regressor, series, "direct"), tmp_path / "m.tsf")


# -------------------------------------------------------------------- the sweep
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REGRESSORS))
def test_every_regressor_round_trips_or_is_refused_at_save(series, tmp_path, name):
    sweep_case("regressor", name, series, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TRANSFORMERS))
def test_every_transformer_in_a_pipeline_round_trips_or_is_refused(series, tmp_path, name):
    sweep_case("transformer", name, series, tmp_path)


def test_the_sweep_lists_are_current():
    """Every name the sweep configures still exists in scikit-learn."""
    assert set(REGRESSOR_ARGS) | set(REGRESSOR_SKIPS) <= set(REGRESSORS)
    assert set(TRANSFORMER_ARGS) | set(TRANSFORMER_SKIPS) <= set(TRANSFORMERS)
    assert {name for _, name in REFUSED | ROUNDING} <= set(REGRESSORS) | set(TRANSFORMERS)
    assert isinstance(make_regressor("StackingRegressor"), REGRESSORS["StackingRegressor"])
    assert isinstance(TRANSFORMERS["ColumnTransformer"](**TRANSFORMER_ARGS["ColumnTransformer"]()),
                      ColumnTransformer)
