"""TF_CONFIG is read and checked by kreg before TensorFlow sees it: one line naming TF_CONFIG."""

from __future__ import annotations

import json
import socket

import pytest

from kreg.cluster import ClusterConfigError, answers, free_local_addresses, local_tf_configs, read_tf_config

TWO = {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}


def config(cluster=TWO, task=None) -> dict[str, str]:
    return {"TF_CONFIG": json.dumps({"cluster": cluster, "task": task if task is not None else {"type": "worker", "index": 1}})}


def test_unset_or_empty_is_no_cluster():
    assert read_tf_config({}) is None
    assert read_tf_config({"TF_CONFIG": "  "}) is None


def test_a_worker_of_two():
    cluster = read_tf_config(config())
    assert (cluster.size, cluster.task.address, cluster.is_chief) == (2, "10.0.0.2:2222", False)
    assert str(cluster.chief) == "worker 0 at 10.0.0.1:2222"
    assert [str(task) for task in cluster.peers()] == ["worker 0 at 10.0.0.1:2222"]
    assert cluster.to_json() == {"task": {"type": "worker", "index": 1}, "address": "10.0.0.2:2222", "chief": False, "workers": 2}


def test_a_chief_is_the_chief_and_evaluators_are_not_counted():
    cluster = read_tf_config(config({"chief": ["c:1"], "worker": ["w:1"], "evaluator": ["e:1"]}, {"type": "worker", "index": 0}))
    assert (cluster.size, cluster.is_chief, cluster.chief.type) == (2, False, "chief")
    assert read_tf_config(config({"chief": ["c:1"], "worker": ["w:1"]}, {"type": "chief", "index": 0})).is_chief


@pytest.mark.parametrize(
    "text, problem",
    [
        ("{cluster: 1}", "TF_CONFIG is not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
        ("[1, 2]", 'TF_CONFIG must be a JSON object with "cluster" and "task", not list'),
        ('{"task": {"type": "worker", "index": 0}}', 'TF_CONFIG has no "cluster"'),
        ('{"cluster": {"worker": "a:1"}, "task": {"type": "worker"}}', 'TF_CONFIG cluster \'worker\' must be a list of "host:port" addresses'),
        ('{"cluster": {"worker": ["a:1", "b"]}, "task": {"type": "worker"}}', 'TF_CONFIG cluster worker[1] is "b", not "host:port"'),
        ('{"cluster": {"worker": ["a:1", "a:70000"]}, "task": {"type": "worker"}}', 'TF_CONFIG cluster worker[1] is "a:70000"'),
        ('{"cluster": {"worker": ["a:1", "a:1"]}, "task": {"type": "worker"}}', "TF_CONFIG lists a:1 twice (worker 0 and worker 1)"),
        ('{"cluster": {"chief": ["a:1", "b:1"]}, "task": {"type": "chief"}}', "TF_CONFIG lists 2 chief tasks"),
        ('{"cluster": {"master": ["a:1"]}, "task": {"type": "master"}}', "TF_CONFIG names an unknown task type 'master'"),
        ('{"cluster": {"worker": ["a:1"], "ps": ["b:1"]}, "task": {"type": "worker"}}', "TF_CONFIG has 'ps' tasks: parameter servers belong to ParameterServerStrategy"),
        ('{"cluster": {"evaluator": ["a:1"]}, "task": {"type": "evaluator"}}', 'TF_CONFIG has no "chief" or "worker" tasks'),
        ('{"cluster": {"worker": ["a:1"], "evaluator": ["b:1"]}, "task": {"type": "evaluator"}}', "TF_CONFIG task type 'evaluator' cannot run kreg train"),
        ('{"cluster": {"worker": ["a:1"]}}', 'TF_CONFIG has no "task"'),
        ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "chief", "index": 0}}', "TF_CONFIG task type \"chief\" is not in its cluster ('worker')"),
        ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": "0"}}', 'TF_CONFIG task index "0" is not an integer'),
        ('{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 2}}', "TF_CONFIG task index 2 is out of range: the cluster has 2 worker task(s), indices 0 to 1"),
    ],
)
def test_each_problem_is_one_line_naming_tf_config(text, problem):
    with pytest.raises(ClusterConfigError) as raised:
        read_tf_config({"TF_CONFIG": text})
    assert str(raised.value).startswith(problem)
    assert "\n" not in str(raised.value)


def test_local_configs_give_every_worker_the_same_cluster_and_its_own_index():
    addresses = free_local_addresses(3)
    assert len(set(addresses)) == 3 and all(a.startswith("127.0.0.1:") for a in addresses)
    clusters = [read_tf_config({"TF_CONFIG": text}) for text in local_tf_configs(addresses)]
    assert [c.task_index for c in clusters] == [0, 1, 2]
    assert all(c.jobs == {"worker": tuple(addresses)} for c in clusters)
    assert [c.is_chief for c in clusters] == [True, False, False]


def test_answers_tells_a_listening_port_from_a_closed_one():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"127.0.0.1:{server.getsockname()[1]}"
        assert answers(address)
    assert not answers(address, timeout=0.5)


def test_the_cli_rejects_a_bad_tf_config_before_building(monkeypatch):
    from click.testing import CliRunner

    from kreg.cli import main

    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}')
    result = CliRunner().invoke(main, ["train", "risk-factor-autoencoder", "--distribute", "multiworker"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "kreg: error: TF_CONFIG task index 3 is out of range: the cluster has 1 worker task(s), indices 0 to 0"
