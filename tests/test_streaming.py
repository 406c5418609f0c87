"""Samples larger than memory: sample_to_parquet, to_dask and the CLI."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from skl_synth.cli import main
from skl_synth.synthesizers import GaussianCopulaSynthesizer, VAESynthesizer
from skl_synth.utils._testing import tiny_synthesizer

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def copula(_placements_frame):
    return GaussianCopulaSynthesizer(random_state=0).fit(_placements_frame)


@pytest.fixture(scope="module")
def keyed_copula():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "order": np.arange(100),
            "code": [f"C{i:03d}" for i in range(100)],
            "x": rng.normal(size=100),
        }
    )
    with pytest.warns(UserWarning, match="look like identifiers"):
        return GaussianCopulaSynthesizer(random_state=0).fit(frame), frame


def test_parquet_has_the_rows_and_dtypes_of_sample(copula, tmp_path):
    path = copula.sample_to_parquet(tmp_path / "a.parquet", 2_345, chunk_size=500)
    rows = pd.read_parquet(path)
    sample = copula.sample(10)
    assert rows.shape == (2_345, sample.shape[1])
    assert rows.dtypes.equals(sample.dtypes)
    assert rows["salary"].isna().any() and rows["start_date"].notna().any()
    again = copula.sample_to_parquet(tmp_path / "b.parquet", 2_345, chunk_size=500)
    assert_frame_equal(pd.read_parquet(again), rows)  # an int random_state
    other = copula.sample_to_parquet(tmp_path / "c.parquet", 2_345, chunk_size=700)
    assert not pd.read_parquet(other).equals(rows)  # chunks have their own seeds
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.parquet",
        "b.parquet",
        "c.parquet",
    ]


def test_parquet_row_groups_are_the_chunks(copula, tmp_path):
    import pyarrow.parquet as pq

    path = copula.sample_to_parquet(tmp_path / "a.parquet", 1_050, chunk_size=500)
    metadata = pq.ParquetFile(path).metadata
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert sizes == [500, 500, 50]


def test_parquet_conditions_apply_to_every_chunk(copula, tmp_path):
    path = tmp_path / "f.parquet"
    copula.sample_to_parquet(path, 900, chunk_size=200, conditions={"gender": "F"})
    assert (pd.read_parquet(path)["gender"] == "F").all()


def test_identifiers_are_unique_over_all_chunks(keyed_copula, tmp_path):
    model, frame = keyed_copula
    rows = pd.read_parquet(
        model.sample_to_parquet(tmp_path / "k.parquet", 5_000, chunk_size=300)
    )
    for column in ("order", "code"):
        assert rows[column].is_unique
        assert not rows[column].isin(frame[column]).any()
    assert rows["code"].str.fullmatch(r"C\d{3,}").all()


@pytest.mark.parametrize("chunk_size", [0, -5, 2.5, "10", True])
def test_bad_chunk_size_is_refused(copula, tmp_path, chunk_size):
    with pytest.raises(ValueError, match="chunk_size must be a positive integer"):
        copula.sample_to_parquet(tmp_path / "x.parquet", 10, chunk_size=chunk_size)
    assert not list(tmp_path.iterdir())


def test_bad_paths_write_nothing(copula, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"does not exist.*Nothing was written"):
        copula.sample_to_parquet(tmp_path / "no" / "x.parquet", 10)
    existing = tmp_path / "x.parquet"
    existing.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        copula.sample_to_parquet(existing, 10)
    assert existing.read_bytes() == b"keep me"
    copula.sample_to_parquet(existing, 10, overwrite=True)
    assert len(pd.read_parquet(existing)) == 10


def test_an_interrupted_sample_leaves_no_file(copula, tmp_path, monkeypatch):
    calls = []
    chunk = type(copula)._chunk

    def failing(self, *args):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return chunk(self, *args)

    monkeypatch.setattr(type(copula), "_chunk", failing)
    with pytest.raises(KeyboardInterrupt):
        copula.sample_to_parquet(tmp_path / "x.parquet", 1_000, chunk_size=100)
    assert len(calls) == 3
    assert not list(tmp_path.iterdir())  # neither the file nor its partial


def test_to_dask_partitions_are_sampled_with_their_own_seeds(copula):
    pytest.importorskip("dask")
    frame = copula.to_dask(1_000, npartitions=4)
    assert frame.npartitions == 4
    rows = frame.compute()
    assert len(rows) == 1_000 and rows.dtypes.equals(copula.sample(1).dtypes)
    parts = [frame.get_partition(i).compute() for i in range(4)]
    assert [len(p) for p in parts] == [250] * 4
    assert not parts[0].reset_index(drop=True).equals(parts[1].reset_index(drop=True))
    assert_frame_equal(copula.to_dask(1_000, npartitions=4).compute(), rows)
    with pytest.raises(ValueError, match="npartitions must be a positive integer"):
        copula.to_dask(10, npartitions=0)


def test_to_dask_of_a_deep_synthesizer(placements):
    pytest.importorskip("dask")
    model = tiny_synthesizer(VAESynthesizer).fit(placements)
    rows = model.to_dask(300, 3).compute()
    assert rows.shape == (300, placements.shape[1])
    assert rows.dtypes.equals(placements.dtypes)


def test_cli_streams_parquet_and_refuses_to_overwrite(tmp_path, placements, capsys):
    table, model = tmp_path / "p.csv", tmp_path / "c.skl"
    placements.to_csv(table, index=False)
    assert (
        main(["fit", str(table), "--model", "copula", "-o", str(model), "--quiet"]) == 0
    )
    out = tmp_path / "big.parquet"
    args = ["sample", str(model), "--rows", "1200", "--out", str(out)]
    assert main([*args, "--chunk-size", "500", "--quiet"]) == 0
    assert len(pd.read_parquet(out)) == 1200
    assert main([*args, "--quiet"]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert main([*args, "--force", "--quiet"]) == 0
