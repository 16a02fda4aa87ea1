"""scikit-learn on arrbackend arrays through the Array API (``array_api_dispatch=True``):
estimators and functions return arrbackend arrays on the same device and match their
NumPy results, with no fallback to NumPy (the suite turns FallbackWarning into an error)."""
from __future__ import annotations

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy
import pytest

import arrbackend as ab

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is in the test extra")


@pytest.fixture
def dispatch():
    with sklearn.config_context(array_api_dispatch=True):
        yield


def _data(n=60, d=5, seed=0):
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * (1 + numpy.arange(d))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(numpy.int64)
    return X, y


def _same(got, expected, x, rtol=1e-7, atol=1e-9, absval=False):
    assert isinstance(got, ab.ndarray), type(got)
    assert got.device == x.device
    g = ab.asnumpy(got)
    if absval:
        g, expected = numpy.abs(g), numpy.abs(expected)
    numpy.testing.assert_allclose(g, expected, rtol=rtol, atol=atol)


def _fit_both(make, X, y=None, method="transform"):
    ref = make().fit(X, y) if y is not None else make().fit(X)
    Xa = ab.asarray(X)
    est = make().fit(Xa, ab.asarray(y)) if y is not None else make().fit(Xa)
    out = getattr(est, method)(Xa)
    return out, getattr(ref, method)(X), Xa


@pytest.mark.parametrize("solver", ["full", "randomized"])
def test_pca(machine, dispatch, solver):
    from sklearn.decomposition import PCA
    X, _ = _data()
    out, ref, Xa = _fit_both(lambda: PCA(n_components=3, svd_solver=solver, random_state=0,
                                         power_iteration_normalizer="QR"), X)
    _same(out, ref, Xa, rtol=1e-6, atol=1e-8, absval=True)


def test_lda(machine, dispatch):
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    X, y = _data()
    out, ref, Xa = _fit_both(LinearDiscriminantAnalysis, X, y, "predict_proba")
    _same(out, ref, Xa, rtol=1e-6, atol=1e-8)


def test_ridge_svd(machine, dispatch):
    from sklearn.linear_model import Ridge
    X, _ = _data()
    y = X @ numpy.arange(1.0, 6.0) + 0.3
    out, ref, Xa = _fit_both(lambda: Ridge(alpha=0.7, solver="svd"), X, y, "predict")
    _same(out, ref, Xa, rtol=1e-8)


@pytest.mark.parametrize("name", ["StandardScaler", "MinMaxScaler", "MaxAbsScaler",
                                  "Normalizer"])
def test_scalers(machine, dispatch, name):
    import sklearn.preprocessing as P
    X, _ = _data()
    out, ref, Xa = _fit_both(getattr(P, name), X)
    _same(out, ref, Xa)


@pytest.mark.parametrize("name", ["rbf_kernel", "linear_kernel", "polynomial_kernel",
                                  "cosine_similarity", "euclidean_distances",
                                  "sigmoid_kernel"])
def test_pairwise(machine, dispatch, name):
    import sklearn.metrics.pairwise as PW
    X, _ = _data(30, 4)
    Y, _ = _data(20, 4, seed=1)
    ref = getattr(PW, name)(X, Y)
    Xa, Ya = ab.asarray(X), ab.asarray(Y)
    got = getattr(PW, name)(Xa, Ya)
    _same(got, ref, Xa, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["r2_score", "mean_squared_error", "mean_absolute_error",
                                  "explained_variance_score"])
def test_regression_metrics(machine, dispatch, name):
    import sklearn.metrics as M
    rng = numpy.random.default_rng(3)
    a, b = rng.standard_normal(40), rng.standard_normal(40)
    ref = getattr(M, name)(a, b)
    got = getattr(M, name)(ab.asarray(a), ab.asarray(b))
    assert float(got) == pytest.approx(float(ref), rel=1e-10)


@pytest.mark.parametrize("name", ["accuracy_score", "zero_one_loss"])
def test_classification_metrics(machine, dispatch, name):
    import sklearn.metrics as M
    rng = numpy.random.default_rng(4)
    a, b = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    ref = getattr(M, name)(a, b)
    got = getattr(M, name)(ab.asarray(a), ab.asarray(b))
    assert float(got) == pytest.approx(float(ref), rel=1e-12)


def _labels(n=50, seed=4):
    rng = numpy.random.default_rng(seed)
    return rng.integers(0, 3, n), rng.integers(0, 3, n), rng.random(n)


@pytest.mark.parametrize("name", ["f1_score", "precision_score", "recall_score",
                                  "jaccard_score"])
def test_classification_metrics_need_sorted_classes(machine, dispatch, name):
    # these find the classes with unique_values: sorted on every device, as NumPy's
    import sklearn.metrics as M
    a, b, _ = _labels()
    ref = getattr(M, name)(a, b, average="macro")
    got = getattr(M, name)(ab.asarray(a), ab.asarray(b), average="macro")
    assert float(got) == pytest.approx(float(ref), rel=1e-12)


@pytest.mark.parametrize("name", ["log_loss", "roc_curve", "precision_recall_curve"])
def test_binary_scores(machine, dispatch, name):
    import sklearn.metrics as M
    a, _, p = _labels()
    yb = (a > 0).astype(numpy.int64)
    ref = getattr(M, name)(yb, p)
    got = getattr(M, name)(ab.asarray(yb), ab.asarray(p))
    for g, r in zip(got if isinstance(got, tuple) else (got,),
                    ref if isinstance(ref, tuple) else (ref,)):
        numpy.testing.assert_allclose(ab.asnumpy(ab.asarray(g)), r, rtol=1e-12)


@pytest.mark.parametrize("name", ["LabelEncoder", "GaussianNB", "RidgeClassifierCV",
                                  "LogisticRegression"])
def test_classifiers(machine, dispatch, name):
    from sklearn.linear_model import LogisticRegression, RidgeClassifierCV
    from sklearn.naive_bayes import GaussianNB
    from sklearn.preprocessing import LabelEncoder
    X, _ = _data()
    y3, _, _ = _labels(60, seed=5)
    if name == "LabelEncoder":
        ref = LabelEncoder().fit(y3)
        est = LabelEncoder().fit(ab.asarray(y3))
        _same(est.classes_, ref.classes_, est.classes_)
        _same(est.transform(ab.asarray(y3)), ref.transform(y3), est.classes_)
        return
    make = {"GaussianNB": GaussianNB, "RidgeClassifierCV": RidgeClassifierCV,
            "LogisticRegression": LogisticRegression}[name]
    method = "decision_function" if name == "RidgeClassifierCV" else "predict_proba"
    out, ref, Xa = _fit_both(make, X, y3, method)
    _same(out, ref, Xa, rtol=1e-6, atol=1e-8)
