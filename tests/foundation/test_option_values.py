"""Options validated as the numbers users mean: finite timeouts, bounded steps, TF_CONFIG hosts.

The issue: ``--timeout inf`` and ``1e300`` raised OverflowError (exit 1),
``nan`` meant "no limit"; a TF_CONFIG host ``local host;rm -rf x`` was accepted.
Each is refused as a usage error (exit 2) before anything runs.
"""

from __future__ import annotations

import json

import pytest

from kreg.cluster import ClusterConfigError, read_tf_config
from kreg.defaults import LONGEST_TIMEOUT, MOST_STEPS
from kreg.testing_plugin import run_kreg


@pytest.mark.parametrize("value", ["inf", "-inf", "1e300", "nan", "-1", "ten"])
def test_check_timeout_must_be_a_finite_number_of_seconds(value):
    result = run_kreg("check", "mlp", "--timeout", value)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '--timeout': {value!r} is not " in result.stderr
    assert f"0 to {LONGEST_TIMEOUT:,.0f}" in result.stderr or "is not a number" in result.stderr


@pytest.mark.parametrize("value", ["inf", "nan", "0.5", "1e300"])
def test_connect_timeout_must_be_finite_too(value):
    result = run_kreg("train", "mlp", "--connect-timeout", value)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--connect-timeout'" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("train", "mlp", "--steps", str(MOST_STEPS + 1)),
        ("train", "mlp", "--epochs", "100000000000000000000"),
        ("check", "mlp", "--steps", "100000000000000000000"),
    ],
)
def test_steps_and_epochs_are_bounded(args):
    result = run_kreg(*args)
    assert result.exit_code == 2, result.output
    assert "is not in the range 1<=x<=" in result.stderr


def test_a_timeout_of_zero_still_means_no_limit_and_a_finite_one_is_kept():
    from kreg.cli.options import Seconds

    assert Seconds(minimum=0).convert("0", None, None) == 0.0
    assert Seconds(minimum=0).convert("2.5", None, None) == 2.5


@pytest.mark.parametrize(
    "host",
    ["local host;rm -rf x", "$(reboot)", "a..b", "-leading", "x" * 64, "héllo", "", "[::1"],
)
def test_tf_config_hosts_must_be_host_names_or_addresses(host):
    config = {"cluster": {"worker": [f"{host}:2222", "127.0.0.1:2223"]}, "task": {"type": "worker", "index": 1}}
    with pytest.raises(ClusterConfigError) as raised:
        read_tf_config({"TF_CONFIG": json.dumps(config)})
    assert str(raised.value).startswith("TF_CONFIG cluster worker[0] is ")


@pytest.mark.parametrize("host", ["localhost", "worker-0.example.com", "10.0.0.7", "[::1]", "[fe80::1]", "node_1"])
def test_ordinary_hosts_are_accepted(host):
    config = {"cluster": {"worker": [f"{host}:2222", "127.0.0.1:2223"]}, "task": {"type": "worker", "index": 1}}
    assert read_tf_config({"TF_CONFIG": json.dumps(config)}).tasks[0].address == f"{host}:2222"
