"""``--distribute multiworker``: MultiWorkerMirroredStrategy as Keras 3's ``fit`` needs it.

- :class:`MultiWorkerStrategy` makes ``strategy.reduce`` do what Keras asks of it.
- :func:`create_strategy` joins the cluster named by ``TF_CONFIG``, giving up
  after a time limit with a line that names the workers it could not reach.
- :func:`shard_by_example` chooses how ``tf.data`` splits the adapter's data.
- :func:`lost_worker` turns a collective op aborted by a dead peer into a line
  naming that peer.
- :func:`settle_workers` averages what the workers did not keep in sync (the
  moving statistics of batch normalisation) and describes the worker for
  ``kreg train --json``.
"""

from __future__ import annotations

import hashlib
import re
import sys
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from kreg.cluster import DEFAULT_CONNECT_TIMEOUT, ClusterConfig, read_tf_config, unreachable_message
from kreg.errors import KregError
from kreg.inspect_tools import keras_compat

_ABORTED_COLLECTIVE = (
    tf.errors.UnavailableError,
    tf.errors.AbortedError,
    tf.errors.CancelledError,
    tf.errors.DeadlineExceededError,
)
_REMOTE_TASK = re.compile(r"/job:(\w+)/replica:\d+/task:(\d+)")


class MultiWorkerStrategy(tf.distribute.MultiWorkerMirroredStrategy):
    """``MultiWorkerMirroredStrategy`` whose ``reduce`` takes what Keras 3's ``fit`` gives it.

    With more than one worker, Keras 3 (3.15) fails in ``fit`` in two places
    (keras-team/keras#20585): ``_maybe_symbolic_build`` reduces the whole first
    batch, a nested structure, in one ``reduce`` call, which the collective
    strategy cannot do (MirroredStrategy maps over the nest; the collective
    one converts the nest to a tensor: "Attempt to convert a value
    (PerReplica:{...})"); and ``reduce_per_replica`` averages every metric with
    ``axis=0``, which a scalar metric does not have ("Invalid reduction
    dimension 0 for input with 0 dimensions"). This ``reduce`` maps over the
    nest and reduces a scalar across replicas only.
    """

    def reduce(self, reduce_op: Any, value: Any, axis: int | None = None) -> Any:
        """``Strategy.reduce`` on each tensor of ``value``; a scalar ignores ``axis``."""

        def reduce_one(item: Any) -> Any:
            local = self.experimental_local_results(item)[0]
            rank = getattr(getattr(local, "shape", None), "rank", None)
            return super(MultiWorkerStrategy, self).reduce(reduce_op, item, None if rank == 0 else axis)

        return tf.nest.map_structure(reduce_one, value)


def create_strategy(connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> MultiWorkerStrategy:
    """Join the cluster of ``TF_CONFIG`` (a single local worker without it).

    The strategy's constructor waits for every worker of the cluster to
    register, holding Python's GIL, for as long as TensorFlow's coordination
    service lets it (an hour by default). kreg configures that service as
    the strategy would, with a registration deadline of ``connect_timeout``.

    Args:
        connect_timeout: float. Seconds to wait for the other workers.

    Raises:
        ClusterConfigError: ``TF_CONFIG`` is malformed or inconsistent.
        ClusterUnreachable: the cluster did not form in time; the message names
            the workers that do not accept a connection.
    """
    cluster = read_tf_config()
    if cluster is None:
        print("kreg: TF_CONFIG is not set: multiworker runs as a single local worker", file=sys.stderr)
        return MultiWorkerStrategy()
    _configure_coordination(cluster, connect_timeout)
    try:
        return MultiWorkerStrategy()
    except tf.errors.DeadlineExceededError as error:
        raise ClusterUnreachable(unreachable_message(cluster, connect_timeout, str(error))) from None


class ClusterUnreachable(KregError):
    """The workers of the cluster did not all register within the time limit."""


def _configure_coordination(cluster: ClusterConfig, timeout: float) -> None:
    """Give the cluster's registration a deadline.

    See :func:`~kreg.inspect_tools.keras_compat.configure_cluster_registration`.
    """
    leader = cluster.chief
    jobs = {job: len(addresses) for job, addresses in cluster.jobs.items()}
    keras_compat.configure_cluster_registration(f"/job:{leader.type}/replica:0/task:{leader.index}", jobs, timeout)


def shard_by_example(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """Split the data between workers by example (``AutoShardPolicy.DATA``) unless the adapter chose.

    kreg's adapters return batched datasets from any source: arrays in memory
    (``from_tensor_slices``, where the default ``AUTO`` policy finds no files
    and falls back to DATA with a warning), ``.npz`` files, generators or file
    readers. ``FILE`` sharding gives each worker whole files, which fails
    outright with fewer files than workers and, with uneven files, lets one
    worker run out of batches while the others wait in a collective op. With
    DATA, every worker runs the whole input pipeline (so adapters must shuffle
    with a seed; kreg seeds every worker alike) and keeps its own part of each
    global batch: worker i trains on the i-th slice of every batch, so
    together the workers train on the pipeline's global batches, each example
    once per pass. An adapter that set a policy itself
    (``dataset.with_options``) keeps it.
    """
    policy = tf.data.experimental.AutoShardPolicy
    if dataset.options().experimental_distribute.auto_shard_policy != policy.AUTO:
        return dataset
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = policy.DATA
    return dataset.with_options(options)


def lost_worker(error: BaseException) -> str | None:
    """One line naming the worker a collective op lost, or None for any other error.

    A worker that dies mid-run aborts the others' collective ops with an
    ``UnavailableError`` (or ``Aborted``, ``Cancelled``, ``DeadlineExceeded``)
    whose message names the remote task (``/job:worker/replica:0/task:1``)
    among gRPC details and the Python stack of the op.
    """
    if not isinstance(error, _ABORTED_COLLECTIVE):
        return None
    cluster = read_tf_config()
    if cluster is None:
        return None
    text = str(getattr(error, "message", error))
    peers = [cluster.task_named(job, int(index)) for job, index in _REMOTE_TASK.findall(text)]
    named = [task for task in dict.fromkeys(peers) if task is not None and task != cluster.task]
    who = ", ".join(str(task) for task in named) if named else "another worker"
    return (
        f"lost contact with {who} ({_first_reason(text)}); a worker stopped or the network failed, "
        "and the cluster cannot go on without it"
    )


def _first_reason(text: str) -> str:
    """The reason in "Collective ops is aborted by: Socket closed" style messages, else the first line."""
    match = re.search(r"aborted by: ([^\n]+)", text)
    line = match.group(1) if match else next((line for line in text.splitlines() if line.strip()), "no reason given")
    return line.strip()[:200]


def settle_workers(model: keras.Model) -> dict[str, Any]:
    """After training: average the batch statistics over the workers, then describe this worker.

    Every worker must call it, in the same order (it runs collective ops).

    Returns:
        dict. The ``cluster`` object of ``kreg train --json`` (:func:`describe_worker`).
    """
    average_batch_statistics(model)
    return describe_worker(model)


def average_batch_statistics(model: keras.Model) -> int:
    """Set each ``BatchNormalization``'s moving mean and variance to their mean over the workers.

    Keras 3 updates these non-trainable weights on each replica from its own
    slice of the batch (unlike tf.keras 2, which averaged them when read), so
    after training every worker holds statistics of its own data and the
    chief would save its own. Averaging makes the weights identical on every
    worker; the moving mean becomes the moving average of the global batches'
    means (an average is linear), the moving variance leaves out the spread
    between the workers' slices. Layers built with ``synchronized=True``
    already agree and are left alone.

    Returns:
        int. How many variables were averaged.
    """
    strategy = model.distribute_strategy
    statistics = [
        variable
        for layer in keras_compat.nested_layers(model)
        if isinstance(layer, keras.layers.BatchNormalization) and not layer.synchronized
        for variable in (layer.moving_mean, layer.moving_variance)
    ]
    for variable in statistics:
        # A mirrored variable is taken to hold one value on every replica, so
        # reducing it returns it unchanged: reduce this worker's reading instead.
        local = tf.convert_to_tensor(variable.value)
        variable.assign(strategy.reduce("MEAN", local, axis=None))
    return len(statistics)


def describe_worker(model: keras.Model) -> dict[str, Any]:
    """This worker's task, the cluster size and a digest of the model's weights.

    The digest (SHA-256 of every weight's bytes in order) is the same on every
    worker of a cluster that trained in sync.
    """
    cluster = read_tf_config()
    worker = (
        cluster.to_json()
        if cluster is not None
        else {"task": {"type": "worker", "index": 0}, "address": None, "chief": True, "workers": 1}
    )
    return {**worker, "weights_sha256": weights_digest(model)}


def weights_digest(model: keras.Model) -> str:
    """SHA-256 of the model's weights (values, shapes and dtypes), in the model's order."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        array = np.ascontiguousarray(weight)
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()
