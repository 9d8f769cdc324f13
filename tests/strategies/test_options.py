"""Strategy settings by name from the API and the command line (`--strategy-option`)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nasforge.bench import benchmark
from nasforge.cli import app
from nasforge.run.search import search
from nasforge.strategies import BANANAS, RegularizedEvolution, TwoStage
from nasforge.strategies.options import create_strategy, parse_options, split_options
from nasforge.tasks import load_task

runner = CliRunner()


def test_text_settings_are_converted_by_the_constructor_annotations():
    bananas = create_strategy(
        "bananas",
        {"initial": "5", "ucb_beta": "1.5", "hidden": "16,8", "encoding": "none",
         "maximize": "no", "acquisition": "ucb"},
    )  # fmt: skip
    assert isinstance(bananas, BANANAS)
    assert (bananas.initial, bananas.ucb_beta, bananas.hidden) == (5, 1.5, (16, 8))
    assert bananas.encoding is None and bananas.maximize is False and bananas.acquisition == "ucb"
    assert create_strategy("sh", {"fidelities": "12,200"}).fidelities == (12, 200)
    assert create_strategy("npred", {"refit_every": "null"}).refit_every is None
    assert create_strategy("npred", {"refit_every": "4"}).refit_every == 4
    two_stage = create_strategy("two-stage", {"then": "evolution", "top_k": "3"})
    assert isinstance(two_stage, TwoStage) and isinstance(two_stage.then, RegularizedEvolution)
    # Python values pass as given; defaults stay defaults.
    assert create_strategy("evolution", {"population_size": 7}).population_size == 7
    assert create_strategy("evolution").population_size == 20


def test_the_task_goes_to_strategies_that_build_networks():
    wine = load_task("wine")
    assert create_strategy("two-stage", task=wine).task is wine
    assert create_strategy("npenas", task=wine).task is wine
    create_strategy("evolution", task=wine)  # no task setting: not passed
    with pytest.raises(ValueError, match="'task' is not an option"):
        create_strategy("two-stage", {"task": "wine"})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"population": "20"}, r"strategy 'bananas' has no setting 'population'; accepted: "),
        ({"initial": "ten"}, r"strategy 'bananas': bad value 'ten' for 'initial' \(int\)"),
        ({"initial": "2.5"}, r"bad value '2.5' for 'initial'"),
        ({"initial": 2.5}, r"bad value 2.5 for 'initial'"),
        ({"maximize": "maybe"}, r"bad value 'maybe' for 'maximize' \(bool\)"),
        ({"hidden": "32,x"}, r"bad value '32,x' for 'hidden' \(ints, comma-separated\)"),
    ],
)
def test_bad_settings_are_one_line_errors_naming_the_strategy(options, message):
    with pytest.raises(ValueError, match=message) as error:
        create_strategy("bananas", options)
    assert "\n" not in str(error.value) and "maximize (bool, default True)" in str(error.value)


def test_object_settings_cannot_be_given_as_text():
    with pytest.raises(ValueError, match=r"'scorer' takes Evaluator \| None, which cannot be"):
        create_strategy("two-stage", {"scorer": "synflow"})


def test_scoped_and_shared_settings_for_several_strategies():
    options = {"initial": "4", "npenas.initial": "6", "npenas.batch_size": "2"}
    per = split_options(["bananas", "npenas", "random"], options)
    assert per == {
        "bananas": {"initial": "4"},
        "npenas": {"initial": "6", "batch_size": "2"},
        "random": {},
    }
    with pytest.raises(ValueError, match="none of the strategies bananas, random has a setting"):
        split_options(["bananas", "random"], {"population": "3"})
    with pytest.raises(ValueError, match=r"'npenas\.initial' is for strategy 'npenas'"):
        split_options(["bananas"], {"npenas.initial": "3"})


def test_parse_options_reads_key_value_texts():
    assert parse_options(["initial=5", " hidden = 8,8 ", "initial=6"]) == {
        "initial": "6",
        "hidden": "8,8",
    }
    with pytest.raises(ValueError, match="bad strategy option 'initial': expected KEY=VALUE"):
        parse_options(["initial"])


def test_search_and_benchmark_check_settings_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="has no setting 'population'"):
        search(data="wine", strategy="bananas", strategy_options={"population": 20},
               output_dir=tmp_path / "runs")  # fmt: skip
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
    with pytest.raises(ValueError, match="strategy 'evolution': bad value 'x'"):
        benchmark(["evolution", "random"], seeds=1, budget=3,
                  strategy_options={"population_size": "x"})  # fmt: skip


def test_cli_strategy_options_reach_the_strategy(tmp_path):
    args = ["--seeds", "1", "--budget", "8", "--workers", "1", "--output", str(tmp_path)]
    result = runner.invoke(
        app,
        ["bench", "--strategies", "bananas,random", *args, "--no-progress",
         "--strategy-option", "initial=3", "--strategy-option", "bananas.epochs=5"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # A setting the strategy's check refuses shows that it arrived.
    refused = runner.invoke(
        app, ["bench", "--strategies", "bananas", *args, "--strategy-option", "initial=1"]
    )
    assert refused.exit_code == 2 and "initial must be at least 2" in refused.output
    bad = runner.invoke(
        app, ["bench", "--strategies", "bananas", *args, "--strategy-option", "population=20"]
    )
    assert bad.exit_code == 2 and "has no setting 'population'" in bad.output
    runs = tmp_path / "runs"
    for option, message in (("initial", "expected KEY=VALUE"), ("initial=1", "at least 2")):
        run = runner.invoke(
            app,
            ["search", "--data", "wine", "--strategy", "bananas", "--trials", "2",
             "--strategy-option", option, "--output", str(runs)],
        )  # fmt: skip
        assert run.exit_code == 2 and message in run.output, run.output


def test_get_strategy_takes_the_same_settings_as_the_cli():
    import nasforge

    strategy = nasforge.get_strategy("bananas", {"initial": "5", "acquisition": "ucb"})
    assert (strategy.initial, strategy.acquisition) == (5, "ucb")
    assert isinstance(nasforge.get_strategy("nsga2"), nasforge.NSGA2)
    with pytest.raises(ValueError, match="population"):
        nasforge.get_strategy("bananas", {"population": 3})
