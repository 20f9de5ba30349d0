"""TF_CONFIG is read and checked by kreg before TensorFlow sees it: one line naming TF_CONFIG."""

from __future__ import annotations

import json
import socket
import tempfile
from pathlib import Path

import pytest

from kreg.cluster import (
    ClusterConfigError,
    answers,
    free_local_addresses,
    local_tf_configs,
    output_for_this_worker,
    read_tf_config,
    unreachable_message,
)
from kreg.testing_plugin import run_kreg

TWO = {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}


def config(cluster=TWO, task=None) -> dict[str, str]:
    return {
        "TF_CONFIG": json.dumps(
            {"cluster": cluster, "task": task if task is not None else {"type": "worker", "index": 1}}
        )
    }


def test_unset_or_empty_is_no_cluster():
    assert read_tf_config({}) is None
    assert read_tf_config({"TF_CONFIG": "  "}) is None


def test_a_worker_of_two():
    cluster = read_tf_config(config())
    assert (cluster.size, cluster.task.address, cluster.is_chief) == (2, "10.0.0.2:2222", False)
    assert str(cluster.chief) == "worker 0 at 10.0.0.1:2222"
    assert [str(task) for task in cluster.peers()] == ["worker 0 at 10.0.0.1:2222"]
    assert cluster.to_json() == {
        "task": {"type": "worker", "index": 1},
        "address": "10.0.0.2:2222",
        "chief": False,
        "workers": 2,
    }


def test_a_chief_is_the_chief_and_evaluators_are_not_counted():
    cluster = read_tf_config(
        config({"chief": ["c:1"], "worker": ["w:1"], "evaluator": ["e:1"]}, {"type": "worker", "index": 0})
    )
    assert (cluster.size, cluster.is_chief, cluster.chief.type) == (2, False, "chief")
    assert read_tf_config(config({"chief": ["c:1"], "worker": ["w:1"]}, {"type": "chief", "index": 0})).is_chief


@pytest.mark.parametrize(
    "text, problem",
    [
        (
            "{cluster: 1}",
            "TF_CONFIG is not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)",
        ),
        ("[1, 2]", 'TF_CONFIG must be a JSON object with "cluster" and "task", not list'),
        ('{"task": {"type": "worker", "index": 0}}', 'TF_CONFIG has no "cluster"'),
        (
            '{"cluster": {"worker": "a:1"}, "task": {"type": "worker"}}',
            "TF_CONFIG cluster 'worker' must be a list of \"host:port\" addresses",
        ),
        (
            '{"cluster": {"worker": ["a:1", "b"]}, "task": {"type": "worker"}}',
            'TF_CONFIG cluster worker[1] is "b", not "host:port"',
        ),
        (
            '{"cluster": {"worker": ["a:1", "a:70000"]}, "task": {"type": "worker"}}',
            'TF_CONFIG cluster worker[1] is "a:70000"',
        ),
        (
            '{"cluster": {"worker": ["a:1", "a:1"]}, "task": {"type": "worker"}}',
            "TF_CONFIG lists a:1 twice (worker 0 and worker 1)",
        ),
        ('{"cluster": {"chief": ["a:1", "b:1"]}, "task": {"type": "chief"}}', "TF_CONFIG lists 2 chief tasks"),
        (
            '{"cluster": {"master": ["a:1"]}, "task": {"type": "master"}}',
            "TF_CONFIG names an unknown task type 'master'",
        ),
        (
            '{"cluster": {"worker": ["a:1"], "ps": ["b:1"]}, "task": {"type": "worker"}}',
            "TF_CONFIG has 'ps' tasks: parameter servers belong to ParameterServerStrategy",
        ),
        (
            '{"cluster": {"evaluator": ["a:1"]}, "task": {"type": "evaluator"}}',
            'TF_CONFIG has no "chief" or "worker" tasks',
        ),
        (
            '{"cluster": {"worker": ["a:1"], "evaluator": ["b:1"]}, "task": {"type": "evaluator"}}',
            "TF_CONFIG task type 'evaluator' cannot run kreg train",
        ),
        ('{"cluster": {"worker": ["a:1"]}}', 'TF_CONFIG has no "task"'),
        (
            '{"cluster": {"worker": ["a:1"]}, "task": {"type": "chief", "index": 0}}',
            "TF_CONFIG task type \"chief\" is not in its cluster ('worker')",
        ),
        (
            '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": "0"}}',
            'TF_CONFIG task index "0" is not an integer',
        ),
        (
            '{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 2}}',
            "TF_CONFIG task index 2 is out of range: the cluster has 2 worker task(s), indices 0 to 1",
        ),
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

    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}')
    result = run_kreg("train", "risk-factor-autoencoder", "--distribute", "multiworker")
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "kreg: error: TF_CONFIG task index 3 is out of range: the cluster has 1 worker task(s), indices 0 to 0"
    )


def test_unreachable_names_the_silent_workers_by_task_and_address():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        listening = f"127.0.0.1:{server.getsockname()[1]}"
        silent = free_local_addresses(1)[0]
        cluster = read_tf_config(
            {
                "TF_CONFIG": json.dumps(
                    {
                        "cluster": {"chief": [listening], "worker": ["127.0.0.1:1", silent]},
                        "task": {"type": "worker", "index": 0},
                    }
                )
            }
        )
        message = unreachable_message(cluster, 7.5)
    assert message.startswith(f"could not reach worker 1 at {silent} within 7.5 s (as worker 0 at 127.0.0.1:1)")
    assert listening not in message


def test_a_cluster_that_answers_but_does_not_form_says_so():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"127.0.0.1:{server.getsockname()[1]}"
        cluster = read_tf_config(
            {
                "TF_CONFIG": json.dumps(
                    {"cluster": {"worker": [address, "127.0.0.1:1"]}, "task": {"type": "worker", "index": 1}}
                )
            }
        )
        assert unreachable_message(cluster, 3).startswith(
            "the cluster did not form within 3 s (as worker 1 at 127.0.0.1:1); every other task's port accepts "
            "connections and TensorFlow did not say which task did not join"
        )
        # What TensorFlow's registration deadline says (a port held by another program, as in the issue):
        detail = (
            "Barrier timed out. Id: [Init]Wait_for_all_tasks_to_register::0.\n# of tasks that reached the barrier: "
            "1/2.\nThe first task at the barrier: /job:worker/replica:0/task:1. Some timed out task names:\n"
            "/job:worker/replica:0/task:0\n"
        )
        assert unreachable_message(cluster, 3, detail).startswith(
            f"worker 0 at {address} did not join the cluster within 3 s although its port accepts connections "
            "(as worker 1 at 127.0.0.1:1): another program may hold the port"
        )


@pytest.mark.parametrize("is_chief", [True, False])
def test_only_the_chief_writes_the_target_and_nothing_is_left_behind(tmp_path, monkeypatch, is_chief):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    tempfile.tempdir = None  # read TMPDIR again
    target = tmp_path / "out" / "model.keras"
    try:
        with output_for_this_worker(str(target), is_chief) as path:
            assert path.endswith(".keras") and path != str(target)
            Path(path).write_text("weights")
            assert not target.exists()  # a reader never sees a half-written file
    finally:
        tempfile.tempdir = None
    if is_chief:
        assert [p.name for p in (tmp_path / "out").iterdir()] == ["model.keras"]
    else:
        assert not (tmp_path / "out").exists()  # the other workers do not touch the target's folder
    assert list((tmp_path / "scratch").iterdir()) == []


def test_a_failed_write_leaves_no_file(tmp_path):
    target = tmp_path / "model.keras"
    with pytest.raises(RuntimeError), output_for_this_worker(str(target), True) as path:
        Path(path).write_text("half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
