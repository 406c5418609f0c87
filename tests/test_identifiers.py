"""Identifier columns: inferred or declared, never learned, generated fresh."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from skl_synth import load, save
from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.metrics import synthesis_score
from skl_synth.over_sampling import CopulaOverSampler, GenerativeOverSampler
from skl_synth.preprocessing import TabularEncoder
from skl_synth.synthesizers import GaussianCopulaSynthesizer
from skl_synth.utils._testing import tiny_synthesizer, tiny_synthesizers

N = 120


@pytest.fixture(scope="module")
def keyed():
    """Customer ids, order numbers (consecutive ints), a width-padded code
    and two learnable columns."""
    rng = np.random.RandomState(0)
    return pd.DataFrame(
        {
            "customer": [f"u{i}" for i in range(N)],
            "order": np.arange(1000, 1000 + N),
            "amount": np.round(rng.lognormal(3, 0.5, N), 2),
            "segment": rng.choice(["a", "b", "c"], N, p=[0.5, 0.3, 0.2]),
        }
    )


def kinds(encoder):
    return {s.name: s.kind for s in encoder.schema_}


def assert_fresh(sample, training, column):
    values = sample[column].to_numpy()
    assert not np.isin(values, training[column].to_numpy()).any(), column
    assert len(set(values)) == len(values), f"{column}: repeated identifiers"


# --------------------------------------------------------------------------
# inference and declaration
# --------------------------------------------------------------------------


def test_keys_are_inferred_with_a_warning_naming_them(keyed):
    with pytest.warns(UserWarning, match=r"\['customer', 'order'\] look like ident"):
        encoder = TabularEncoder(random_state=0).fit(keyed)
    assert kinds(encoder) == {
        "customer": "identifier",
        "order": "identifier",
        "amount": "continuous",
        "segment": "discrete",
    }
    assert {s.column for s in encoder.layout_} == {"amount", "segment"}


@pytest.mark.parametrize(
    ("column", "why"),
    [
        (np.arange(N) * 7, "unique integers with gaps: a quantity, not a key"),
        ([f"u{i}" for i in range(19)], "19 rows: too few to tell"),
        ([f"u{i % 60}" for i in range(N)], "repeated values"),
        ([f"u{i}" for i in range(N - 1)] + [None], "a missing value"),
        (np.arange(N, dtype=float), "floats"),
    ],
)
def test_what_is_not_taken_for_a_key(column, why):
    frame = pd.DataFrame({"x": column})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no identifier warning either
        encoder = TabularEncoder(random_state=0).fit(frame)
    assert kinds(encoder)["x"] != "identifier", why


def test_listed_and_declared_columns_are_never_keys(keyed):
    listed = TabularEncoder(discrete_columns=["order"], random_state=0)
    with pytest.warns(UserWarning, match=r"\['customer'\] look like"):
        listed.fit(keyed)
    assert kinds(listed)["order"] == "discrete"
    declared = TabularEncoder(
        column_kinds={"customer": "discrete", "order": "continuous"}, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        declared.fit(keyed)
    assert kinds(declared)["customer"] == "discrete"
    assert kinds(declared)["order"] == "continuous"
    gaps = TabularEncoder(column_kinds={"amount": "continuous", "x": "identifier"})
    frame = keyed.assign(x=np.arange(N) * 7)
    with pytest.warns(UserWarning):
        gaps.fit(frame)
    assert kinds(gaps)["x"] == "identifier"  # declared: gaps allowed


@pytest.mark.parametrize(
    ("column_kinds", "error", "message"),
    [
        ({"nope": "identifier"}, ValueError, r"names \['nope'\], which are not col"),
        ({"amount": "key"}, ValueError, r"gives \{'amount': 'key'\}; a kind is one"),
        ({"amount": "identifier"}, ValueError, "'amount' is declared an identifier"),
        ({"segment": "continuous"}, ValueError, "declares column 'segment' cont"),
        (["customer"], TypeError, r"'column_kinds' parameter .* instance of 'dict'"),
    ],
)
def test_bad_column_kinds_are_refused(keyed, column_kinds, error, message):
    encoder = TabularEncoder(column_kinds=column_kinds)
    with pytest.raises((error, ValueError), match=message):
        encoder.fit(keyed)


# --------------------------------------------------------------------------
# fresh values
# --------------------------------------------------------------------------


def test_encoder_decodes_fresh_values_in_the_training_format(keyed):
    frame = keyed.assign(
        code=[f"C-{i:04d}" for i in range(N)],
        token=[f"{(i * 7919) % 65521:04x}z{i % 7}" for i in range(N)],
    )
    with pytest.warns(UserWarning):
        encoder = TabularEncoder(random_state=0).fit(frame)
    back = encoder.inverse_transform(encoder.transform(frame))
    assert back.dtypes.equals(frame.dtypes)
    for column in ("customer", "order", "code", "token"):
        assert_fresh(back, frame, column)
    assert back["customer"].str.fullmatch(r"u\d+").all()
    assert back["code"].str.fullmatch(r"C-\d{4}").all()  # the same width
    assert (back["order"] > 1000).all() and back["order"].dtype == np.int64
    assert back["token"].str.len().eq(6).all()
    assert back["token"].str[4].eq("z").all()  # a character every value has there
    assert back.loc[:, ["amount", "segment"]].equals(frame[["amount", "segment"]])
    again = encoder.inverse_transform(encoder.transform(frame))
    assert again.equals(back)  # an int random_state: the same identifiers


@pytest.mark.parametrize("model", tiny_synthesizers(), ids=lambda m: type(m).__name__)
def test_synthesizers_never_sample_a_training_identifier(model, keyed):
    with pytest.warns(UserWarning, match="look like identifiers"):
        model.fit(keyed)
    for sample in (
        model.sample(200),
        model.sample(60, conditions={"segment": "c"}),
        model.sample(3, conditions=pd.DataFrame({"segment": ["a", None, "b"]})),
    ):
        assert sample.dtypes.equals(keyed.dtypes)
        assert_fresh(sample, keyed, "customer")
        assert_fresh(sample, keyed, "order")
    assert (model.sample(60, conditions={"segment": "c"})["segment"] == "c").all()
    with pytest.raises(ValueError, match="'customer', an identifier"):
        model.sample(5, conditions={"customer": "u1"})


def test_ensemble_identifiers_are_unique_across_members(keyed):
    model = EnsembleSynthesizer(
        [("copula", GaussianCopulaSynthesizer())],
        partition="column",
        partition_column="segment",
        weighting="size",
        random_state=0,
    )
    with pytest.warns(UserWarning):
        model.fit(keyed)
    assert all("customer" in dropped for dropped in model.dropped_columns_)
    sample = model.sample(300)
    assert set(sample["segment"]) == {"a", "b", "c"}  # every member generated
    assert_fresh(sample, keyed, "customer")
    assert_fresh(sample, keyed, "order")


def test_copies_are_judged_without_identifiers():
    # every row of the learned columns is a copy; the keys must not hide it
    frame = pd.DataFrame({"id": [f"k{i}" for i in range(40)], "a": list("xy") * 20})
    model = tiny_synthesizer(GaussianCopulaSynthesizer).set_params(reject_copies=True)
    with pytest.warns(UserWarning):
        model.fit(frame)
    with pytest.raises(ValueError, match="still copy a training row"):
        model.sample(10)


def test_saved_identifier_codecs_sample_the_same(keyed, tmp_path):
    with pytest.warns(UserWarning):
        model = GaussianCopulaSynthesizer(random_state=0).fit(keyed)
    save(model, tmp_path / "model.skl")
    pd.testing.assert_frame_equal(
        load(tmp_path / "model.skl").sample(50), model.sample(50)
    )


# --------------------------------------------------------------------------
# samplers and metrics
# --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_samplers_give_new_rows_fresh_identifiers(keyed, mode):
    y = np.where(keyed["segment"] == "c", "rare", "common")
    X = keyed.drop(columns="segment")
    sampler = GenerativeOverSampler(
        GaussianCopulaSynthesizer(), mode=mode, smote_share=0.5, random_state=0
    )
    with pytest.warns(UserWarning, match=r"\['customer', 'order'\] look like"):
        X_res, _ = sampler.fit_resample(X, y)
    new = X_res.iloc[len(X) :]
    assert len(new) == (y == "common").sum() - (y == "rare").sum()
    assert X_res.iloc[: len(X)].equals(X) and X_res.dtypes.equals(X.dtypes)
    assert_fresh(new, X, "customer")
    assert_fresh(new, X, "order")


@pytest.mark.filterwarnings("ignore:The number of unique classes:UserWarning")
def test_an_identifier_target_is_refused(keyed):
    with pytest.raises(ValueError, match=r"y \('customer'\) is an identifier column"):
        CopulaOverSampler().fit_resample(keyed[["amount"]], keyed["customer"])
    sampler = CopulaOverSampler(
        GaussianCopulaSynthesizer(column_kinds={"segment": "identifier"})
    )
    with pytest.raises(ValueError, match=r"y \('segment'\) is an identifier"):
        sampler.fit_resample(keyed[["amount"]], keyed["segment"])


def test_scores_leave_identifiers_out(keyed):
    learned = ["amount", "segment"]
    real, fake = keyed.iloc[:60], keyed.iloc[60:].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scoring infers keys silently
        with_keys = synthesis_score(real, fake, random_state=0)
    without = synthesis_score(real[learned], fake[learned], random_state=0)
    assert with_keys == pytest.approx(without)
    assert re.fullmatch(r"u\d+", fake["customer"].iloc[0])
