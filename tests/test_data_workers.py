"""DataLoader(num_workers > 0): batches from worker processes, in order, on the loader's
backend; per-worker seeds and get_worker_info; worker_init_fn; persistent workers;
errors, dead workers and timeouts reported in the main process."""
import os
import pickle
import random
import time

import numpy as np
import pytest

import minitorch
from minitorch.data import DataLoader, Dataset, TensorDataset, get_worker_info
from nn_helpers import backend  # noqa: F401


def numbered(count):
    return (minitorch.tensor(np.arange(count)[:, None] * 10.0 + np.arange(3)),
            minitorch.tensor(np.arange(count)))


class Probe(Dataset):
    """Sample i: (i, worker id, worker seed, pid, a draw from minitorch's generator,
    a draw from `random`, the value worker_init_fn left in `initialised`). Worker 0
    sleeps `slow_first` seconds per sample, the others `sleep`."""

    def __init__(self, count=12, fail_at=None, exit_at=None, sleep=0.0, slow_first=0.0):
        self.count, self.fail_at, self.exit_at = count, fail_at, exit_at
        self.sleep, self.slow_first = sleep, slow_first

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if index == self.fail_at:
            raise KeyError(f"sample {index} is broken")
        if index == self.exit_at:
            os._exit(3)
        info = get_worker_info()
        time.sleep(self.slow_first if info.id == 0 else self.sleep)
        return dict(index=index, worker=info.id, seed=info.seed, pid=os.getpid(),
                    draw=minitorch.rand(()).item(), python_draw=random.random(),
                    initialised=initialised[0])


initialised = [-1]   # worker_init_fn (remember_worker) sets it in the worker


def remember_worker(worker_id):
    initialised[0] = worker_id * 100


def drain(loader):
    return [{key: value.tolist() for key, value in batch.items()} for batch in loader]


@pytest.mark.parametrize("shuffle", [False, True])
def test_tensor_dataset_batches_as_single_process(backend, shuffle):  # noqa: F811
    """Batches of the right rows, on the loader's backend; unshuffled, those of
    num_workers=0; shuffled, a new permutation each epoch, fixed by the generator's seed
    (not num_workers=0's: starting workers draws their base seed first, as in torch)."""
    x, y = numbered(23)

    def epochs(num_workers, seed=5):
        loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=shuffle,
                            num_workers=num_workers,
                            generator=minitorch.Generator().manual_seed(seed))
        result = []
        for _ in range(2):
            batches = list(loader)
            for inputs, targets in batches:
                assert inputs.backend == targets.backend == backend
                assert inputs.dtype == x.dtype and targets.dtype == minitorch.int64
                np.testing.assert_array_equal(inputs.numpy()[:, 0], targets.numpy() * 10.0)
            result.append([targets.tolist() for _, targets in batches])
        return result

    first, second = epochs(2)
    assert [len(batch) for batch in first] == [4] * 5 + [3]
    if shuffle:
        assert sorted(sum(first, [])) == sorted(sum(second, [])) == list(range(23))
        assert first != second and epochs(2) == [first, second] != epochs(2, seed=6)
    else:
        assert epochs(0) == [first, second] and first == second


def test_samples_are_fetched_round_robin_and_yielded_in_order():
    batches = drain(DataLoader(Probe(slow_first=0.05), batch_size=2, num_workers=3))
    assert [batch["index"] for batch in batches] == [[0, 1], [2, 3], [4, 5], [6, 7],
                                                     [8, 9], [10, 11]]
    assert [batch["worker"] for batch in batches] == [[0, 0], [1, 1], [2, 2]] * 2
    assert get_worker_info() is None   # in the main process


def test_worker_seeds_init_fn_and_reproducibility():
    def run():
        loader = DataLoader(Probe(), batch_size=2, num_workers=3,
                            worker_init_fn=remember_worker,
                            generator=minitorch.Generator().manual_seed(7))
        batches = drain(loader)
        for batch in batches:
            del batch["pid"]
        return batches
    first, second = run(), run()
    assert first == second   # the loader's generator fixes every worker's seed
    seeds = {batch["worker"][0]: batch["seed"][0] for batch in first}
    assert seeds[1] == seeds[0] + 1 and seeds[2] == seeds[0] + 2
    for batch in first:
        assert batch["initialised"] == [worker * 100 for worker in batch["worker"]]
    # each worker's generators start from its own seed
    draws = [batch["draw"][0] for batch in first[:3]]
    assert len(set(draws)) == 3
    minitorch.manual_seed(seeds[1])
    assert first[1]["draw"][0] == minitorch.rand(()).item()
    assert first[1]["python_draw"][0] == random.Random(seeds[1]).random()
    other = drain(DataLoader(Probe(), batch_size=2, num_workers=3,
                             generator=minitorch.Generator().manual_seed(8)))
    assert other[0]["seed"] != first[0]["seed"]


def test_persistent_workers_are_kept_across_epochs_and_others_are_not():
    def pids(loader, epochs=2):
        return [{pid for batch in drain(loader) for pid in batch["pid"]} for _ in range(epochs)]
    persistent = pids(DataLoader(Probe(), batch_size=2, num_workers=2,
                                 persistent_workers=True))
    assert persistent[0] == persistent[1] and len(persistent[0]) == 2
    fresh = pids(DataLoader(Probe(), batch_size=2, num_workers=2))
    assert not fresh[0] & fresh[1]
    assert os.getpid() not in persistent[0] | fresh[0]


@pytest.mark.parametrize("persistent", [False, True])
def test_an_abandoned_epoch_does_not_leak_into_the_next(persistent):
    loader = DataLoader(Probe(), batch_size=2, num_workers=2, persistent_workers=persistent)
    for batch in loader:
        assert batch["index"].tolist() == [0, 1]
        break
    assert [batch["index"] for batch in drain(loader)] == [[i, i + 1] for i in range(0, 12, 2)]


def test_exception_in_a_worker_is_raised_with_its_traceback():
    loader = DataLoader(Probe(fail_at=5), batch_size=2, num_workers=2)
    seen = []
    with pytest.raises(RuntimeError, match=r"(?s)worker process 0.*fetching batch 2.*"
                                           r"KeyError: 'sample 5 is broken'"):
        for batch in loader:
            seen.append(batch["index"].tolist())
    assert seen == [[0, 1], [2, 3]]   # the batches before it arrived


def test_exception_in_worker_init_fn_is_raised():
    def broken_init(worker_id):
        raise ValueError("no setup today")
    with pytest.raises(RuntimeError, match="(?s)worker_init_fn.*ValueError: no setup today"):
        list(DataLoader(Probe(), num_workers=1, worker_init_fn=broken_init))


def test_a_worker_that_dies_is_reported():
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) exited "
                                           "unexpectedly with exit code 3"):
        list(DataLoader(Probe(exit_at=3), batch_size=2, num_workers=2))


def test_timeout_bounds_the_wait_for_a_batch():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(DataLoader(Probe(slow_first=1.0), num_workers=1, timeout=0.2))


def test_spawned_workers_receive_the_dataset_pickled():
    x, y = numbered(6)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, num_workers=1,
                        multiprocessing_context="spawn")
    assert [targets.tolist() for _, targets in loader] == [[0, 1, 2, 3], [4, 5]]


def test_pickled_tensors_keep_dtype_backend_and_requires_grad(backend):  # noqa: F811
    tensor = minitorch.tensor([[1.5, -2.0]], dtype=minitorch.float64, requires_grad=True)
    copy = pickle.loads(pickle.dumps(tensor))
    assert copy.backend == backend and copy.dtype == minitorch.float64
    assert copy.requires_grad and copy.tolist() == [[1.5, -2.0]]
