from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from nasforge.constraints import count_flops, count_params
from nasforge.errors import DataFormatError, DataNotFoundError
from nasforge.evaluators import EvaluationContext, NB201Benchmark, tabular
from nasforge.tasks import benchmark_task

BEST_CIFAR10 = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "nor_conv_3x3~2|"
)


def test_default_protocol_searches_one_seed_and_reports_seed_mean(space, table_path, cifar10):
    table = pd.read_csv(table_path).set_index("arch")
    for text in table.index[:50]:
        metrics = cifar10.evaluate(space.parse(text)).metrics
        assert metrics["val_acc"] == table.loc[text, "cifar10_200ep_one_seed"]
        assert metrics["test_acc"] == table.loc[text, "cifar10_200ep"]
    low = cifar10.evaluate(space.parse(text), EvaluationContext(fidelity=12)).metrics
    assert low["val_acc"] == table.loc[text, "cifar10_12ep_one_seed"] and low["epochs"] == 12


@pytest.mark.parametrize(
    ("dataset", "optimum"),
    [("cifar10", 94.3733), ("cifar100", 73.5133), ("imagenet16-120", 47.3111)],
)
def test_optimum_is_the_published_one(table_path, dataset, optimum):
    assert NB201Benchmark(dataset).optimum() == pytest.approx(optimum)


def test_noise_mean_searches_the_seed_average(space, table_path):
    bench = NB201Benchmark("cifar100", noise="mean", cost_metrics=False)
    metrics = bench.evaluate(space.parse(BEST_CIFAR10)).metrics
    assert metrics["val_acc"] == metrics["test_acc"]


def test_cost_metrics_equal_the_built_network(space, table_path):
    bench = NB201Benchmark("imagenet16-120")
    task = benchmark_task("imagenet16-120")
    for text in [
        BEST_CIFAR10,
        "|none~0|+|avg_pool_3x3~0|skip_connect~1|+|nor_conv_1x1~0|none~1|none~2|",
    ]:
        arch = space.parse(text)
        metrics = bench.evaluate(arch).metrics
        model = space.build(arch, task)
        assert metrics["params"] == count_params(model)
        assert metrics["flops"] == count_flops(model, task.input_shape)
        # The cost cache is keyed by op counts: a permuted cell costs the same.
        permuted = space.from_positions(sorted(space.positions(arch)))
        assert Counter(permuted.choice_values) == Counter(arch.choice_values)
        assert bench.evaluate(permuted).metrics["params"] == metrics["params"]


def test_bad_settings_are_rejected_with_the_accepted_values(table_path):
    with pytest.raises(ValueError, match="accepted: cifar10, cifar100, imagenet16-120"):
        NB201Benchmark("mnist").setup()
    with pytest.raises(ValueError, match="one_seed"):
        NB201Benchmark(noise="loud").setup()
    with pytest.raises(ValueError, match="fidelity"):
        NB201Benchmark(fidelity=50).setup()


def test_packaged_table_equals_the_csv_and_serves_when_no_csv_is_there(
    monkeypatch, tmp_path, table_path
):
    csv = tabular.read_table(table_path)
    packed = tabular.packaged_table()
    for name in tabular.TABLE_COLUMNS:
        assert np.allclose(packed[name], csv[name], atol=1e-9, equal_nan=True), name
    monkeypatch.setenv("NASFORGE_DATA_DIR", str(tmp_path))  # an empty data directory
    bench = NB201Benchmark("cifar100").setup()
    assert bench.source_ == tabular.PACKAGED_TABLE
    assert bench.optimum() == pytest.approx(73.5133)


def test_the_data_directory_and_data_path_override_the_packaged_table(tmp_path, table_path):
    assert NB201Benchmark().setup().source_ == table_path
    edited = pd.read_csv(table_path)
    edited.loc[0, "cifar10_200ep"] = 99.0
    edited.to_csv(tmp_path / "edited.csv", index=False)
    bench = NB201Benchmark(data_path=tmp_path / "edited.csv").setup()
    assert bench.optimum() == 99.0


def test_missing_data_says_which_file_and_where(monkeypatch, tmp_path):
    monkeypatch.setenv("NASFORGE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(tabular, "PACKAGED_TABLE", tmp_path / "absent.npz")
    with pytest.raises(DataNotFoundError, match=r"nb201/nats_tss_test_acc\.csv.*NASFORGE_DATA_DIR"):
        NB201Benchmark().setup()
    with pytest.raises(DataNotFoundError, match="benchmark data not found at"):
        NB201Benchmark(data_path=tmp_path / "none.csv").setup()


@pytest.mark.parametrize(
    "content",
    [
        "not,a,table\n1,2,3\n",
        "\x00\x01garbage\xff",
        "",
    ],
)
def test_corrupt_table_is_a_clear_error(tmp_path, content):
    path = tmp_path / "broken.csv"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(DataFormatError, match=r"broken\.csv"):
        NB201Benchmark(data_path=path).setup()


def test_truncated_table_is_rejected(tmp_path, table_path):
    path = tmp_path / "short.csv"
    pd.read_csv(table_path).head(100).to_csv(path, index=False)
    with pytest.raises(DataFormatError, match="expected all 15625"):
        NB201Benchmark(data_path=path).setup()


def test_architecture_from_another_space_is_rejected(cifar10):
    from nasforge import Architecture

    with pytest.raises(ValueError, match="space 'other'"):
        cifar10.evaluate(Architecture("other", {"x": 1}))


def test_table_without_12_epoch_results_still_serves_200_epochs(tmp_path, table_path, space):
    path = tmp_path / "no12.csv"
    frame = pd.read_csv(table_path)
    frame["cifar100_12ep_one_seed"] = float("nan")
    frame.to_csv(path, index=False)
    with pytest.raises(DataFormatError, match="no 12-epoch results for cifar100"):
        NB201Benchmark("cifar100", fidelity=12, data_path=path).setup()
    bench = NB201Benchmark("cifar100", data_path=path, cost_metrics=False)
    arch = space.parse(BEST_CIFAR10)
    assert bench.evaluate(arch).metrics["val_acc"] > 0
    with pytest.raises(ValueError, match=r"one of \(200,\) epochs here"):
        bench.evaluate(arch, EvaluationContext(fidelity=12))


def test_official_release_files_go_through_the_release_reader(tmp_path):
    path = tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    path.write_bytes(b"not a torch file")
    with pytest.raises(DataFormatError, match=r"NAS-Bench-201-v1_1-096897\.pth"):
        NB201Benchmark(data_path=path).setup()


def test_foreign_architecture_with_valid_values_is_rejected(cifar10, space):
    from nasforge import Architecture

    arch = space.parse(BEST_CIFAR10)
    relabelled = Architecture("nb201", {f"e{i}": v for i, v in enumerate(arch.choice_values)})
    with pytest.raises(ValueError, match="do not match"):
        cifar10.evaluate(relabelled)


def test_missing_data_path_is_a_data_not_found_error(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"nowhere\.csv"):
        NB201Benchmark(data_path=tmp_path / "nowhere.csv").setup()
