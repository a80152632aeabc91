"""Executors: tasks see the shared data, results come back as they finish, torch state restored.

Process pools and Dask are checked end to end in test_runner.py (identical metrics).
"""

from __future__ import annotations

import pytest
import torch

from xatgrn.evaluate.executors import Executor, task_env


def _task(payload, shared):
    return payload["i"], shared["offset"] + payload["i"], torch.get_num_threads()


def test_task_env_sets_and_restores_torch_threads():
    before = torch.get_num_threads()
    with task_env(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError), task_env(1):
        raise RuntimeError("a failing task")
    assert torch.get_num_threads() == before
    with task_env(None):  # untouched
        assert torch.get_num_threads() == before


def test_serial_executor_runs_every_payload_in_order_with_the_shared_data():
    results = []
    ex = Executor({"offset": 100})
    ex.map(_task, [{"i": i} for i in range(4)], results.append, desc="t", show=False)
    ex.close()
    assert [r[:2] for r in results] == [(0, 100), (1, 101), (2, 102), (3, 103)]


def test_nothing_starts_for_no_payloads():
    ex = Executor({}, workers=4)
    ex.map(_task, [], lambda r: pytest.fail("no result expected"), desc="t", show=False)
    assert ex._pool is None and ex._client is None
    ex.close()


def test_a_failing_task_stops_the_run():
    def boom(payload, shared):
        if payload["i"] == 1:
            raise ValueError("task 1 failed")
        return payload["i"]

    seen = []
    ex = Executor({})
    with pytest.raises(ValueError, match="task 1 failed"):
        ex.map(boom, [{"i": i} for i in range(3)], seen.append, desc="t", show=False)
    ex.close()
    assert seen == [0]
