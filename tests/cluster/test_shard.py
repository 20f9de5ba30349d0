"""``kreg check --shard K/N``: N jobs check disjoint sets of architectures that together are all."""

from __future__ import annotations

import json

import pytest

import kreg
from kreg.errors import KregUsageError
from kreg.sharding import Shard
from kreg.testing_plugin import run_kreg

NAMES = ["shard-a", "shard-b", "shard-c", "shard-d", "shard-e", "shard-f", "shard-g"]


def _build():
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.fixture
def catalogue() -> kreg.Catalogue:
    """Seven architectures without data adapters (a check builds and counts them), registered out of order."""

    class Plugin:
        @staticmethod
        @kreg.hookimpl
        def kreg_register_architectures(register):
            for name in reversed(NAMES):
                register(kreg.Architecture(name=name, summary="s", builder=_build))

    result = kreg.Catalogue()
    result.add_plugin(Plugin, kreg.PluginRecord(name="shards"))
    return result


def check(catalogue: kreg.Catalogue, *args: str):
    return run_kreg("check", *args, catalogue=catalogue)


@pytest.mark.parametrize("text, shard", [("1/1", Shard(1, 1)), ("2/4", Shard(2, 4)), (" 3 / 3 ", Shard(3, 3))])
def test_parse(text, shard):
    assert Shard.parse(text) == shard and str(shard) == f"{shard.index}/{shard.count}"


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "3", "a/b", "1/2/3", "-1/2", ""])
def test_bad_shards_are_usage_errors(text):
    with pytest.raises(KregUsageError):
        Shard.parse(text)


def test_the_split_by_hand():
    """Sorted names dealt out in turn: a d g | b e | c f."""
    by_shard = [Shard(k, 3).select(reversed(NAMES), name=str) for k in (1, 2, 3)]
    assert by_shard == [["shard-a", "shard-d", "shard-g"], ["shard-b", "shard-e"], ["shard-c", "shard-f"]]


@pytest.mark.parametrize("count", [1, 2, 3, 5, 13, 20])
def test_shards_are_disjoint_cover_everything_and_are_balanced(count):
    names = [f"arch-{i:03d}" for i in range(13)]
    shards = [Shard(k, count).select(names, name=str) for k in range(1, count + 1)]
    flat = [name for shard in shards for name in shard]
    assert sorted(flat) == names and len(flat) == len(set(flat))
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


def test_the_split_does_not_depend_on_the_order_names_arrive_in():
    names = ["b", "A", "a", "_x", "Z9", "z"]
    assert (
        Shard(2, 3).select(names, name=str) == Shard(2, 3).select(sorted(names, reverse=True), name=str) == ["Z9", "b"]
    )


def test_cli_shards_are_disjoint_and_their_union_is_every_architecture(catalogue):
    rows = []
    for k in (1, 2, 3):
        result = check(catalogue, "shard-*", "--shard", f"{k}/3", "--json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert report["shard"] == {"index": k, "count": 3, "architectures": len(report["results"]), "matching": 7}
        rows.append([row["architecture"] for row in report["results"]])
    assert rows == [["shard-a", "shard-d", "shard-g"], ["shard-b", "shard-e"], ["shard-c", "shard-f"]]


def test_cli_table_says_which_shard(catalogue):
    result = check(catalogue, "--shard", "2/3")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == "shard 2/3: 2 of 7 architectures"
    assert "shard-b" in result.stdout and "shard-e" in result.stdout and "shard-a" not in result.stdout


def test_an_empty_shard_passes(catalogue):
    result = check(catalogue, "shard-a", "shard-b", "--shard", "3/3", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["passed"], report["results"], report["shard"]["architectures"]) == (True, [], 0)


@pytest.mark.parametrize("value", ["0/2", "3/2", "two/four", "1"])
def test_cli_bad_shard_exits_2(catalogue, value):
    result = check(catalogue, "--shard", value)
    assert result.exit_code == 2
    assert "Invalid value for '--shard'" in result.stderr
