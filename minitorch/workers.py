"""DataLoader worker processes (num_workers > 0), as torch.utils.data runs them.

Each worker is a process with its own copy of the dataset (forked, or pickled under
another start method). For a map-style dataset the main process iterates the batch
sampler and hands each batch's indices to worker number (batch number % num_workers);
for an iterable dataset it asks the workers in turn for the next batch of their own
stream. At most prefetch_factor batches per worker are in flight; a worker fetches the
samples, collates them and sends the batch back, and the main process yields the
batches in the order it asked for them. Tensors cross the process boundary by pickling (values, dtype, backend).

A worker limits every backend to one thread (as torch's workers do), seeds minitorch's
default generator and Python's `random` with `base_seed + worker_id` (base_seed drawn
from the loader's generator each time workers start), then calls worker_init_fn(worker_id).
Inside a worker, get_worker_info() says which worker it is.
"""
import itertools
import multiprocessing
import queue
import random
import traceback

from .generator import manual_seed, numpy_generator
from .registry import set_num_threads

_STATUS_INTERVAL = 1.0   # seconds between checks that the workers are still alive


class WorkerInfo:
    """What get_worker_info() returns inside a worker: id, num_workers, seed, dataset."""

    def __init__(self, id, num_workers, seed, dataset):  # noqa: A002  (torch's name)
        self.id, self.num_workers, self.seed, self.dataset = id, num_workers, seed, dataset

    def __repr__(self):
        return (f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, "
                f"seed={self.seed}, dataset={self.dataset!r})")


_worker_info = None


def get_worker_info():
    """The WorkerInfo of this process when it is a DataLoader worker, else None."""
    return _worker_info


class _WorkerError:
    """An exception raised in a worker, sent back as its formatted traceback (exception
    objects need not pickle)."""

    def __init__(self, worker_id, where):
        self.worker_id, self.where = worker_id, where
        self.text = traceback.format_exc()

    def reraise(self):
        raise RuntimeError(f"DataLoader worker process {self.worker_id}: caught an exception "
                           f"in {self.where}. Original traceback:\n{self.text}")


class _StreamEnded:
    """What a worker sends back for a batch its stream of an iterable dataset no longer
    has."""


def _worker_loop(fetch, dataset, tasks, results, worker_id, num_workers, seed, init_fn):
    """The body of one worker process: fetch every (epoch, batch number, indices) task
    until a None task arrives, sending back (epoch, batch number, batch or _WorkerError).
    Indices None asks for the next batch of the worker's own stream of an iterable
    dataset (a new stream each epoch); _StreamEnded once it has none left."""
    global _worker_info
    set_num_threads(1)
    manual_seed(seed)
    random.seed(seed)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    if init_fn is not None:
        try:
            init_fn(worker_id)
        except Exception:  # reported to the main process, which stops the workers
            results.put((None, None, _WorkerError(worker_id, "worker_init_fn")))
            return
    stream = stream_epoch = None   # this worker's stream of an iterable dataset's batches
    while True:
        task = tasks.get()
        if task is None:
            return
        epoch, number, indices = task
        try:
            if indices is not None:
                batch = fetch(indices)
            else:
                if stream_epoch != epoch:
                    stream, stream_epoch = fetch.stream(), epoch
                batch = next(stream, _StreamEnded())
        except Exception:
            batch = _WorkerError(worker_id, f"fetching batch {number}")
        results.put((epoch, number, batch))


class WorkerPool:
    """num_workers processes fetching batches for one DataLoader; started by the
    loader's iterator and shut down at the end of the epoch, or kept for the next epochs
    with persistent_workers (the loader then shuts it down when it is collected)."""

    def __init__(self, loader, fetch):
        context = loader.multiprocessing_context
        if context is None or isinstance(context, str):
            context = multiprocessing.get_context(context)
        self.num_workers = loader.num_workers
        self.timeout = loader.timeout
        self.in_flight_limit = loader.prefetch_factor * self.num_workers
        base_seed = int(numpy_generator(loader.generator).integers(0, 2 ** 62))
        self.results = context.Queue()
        self.task_queues = [context.Queue() for _ in range(self.num_workers)]
        self.processes = [
            context.Process(target=_worker_loop, daemon=True, args=(
                fetch, loader.dataset, tasks, self.results, worker_id, self.num_workers,
                base_seed + worker_id, loader.worker_init_fn))
            for worker_id, tasks in enumerate(self.task_queues)]
        for process in self.processes:
            process.start()
        self.epoch = 0

    def batches(self, tasks):
        """The batches of one epoch in order. `tasks` (map-style datasets) lists what
        each batch is fetched from (its indices), handed to worker number %
        num_workers; tasks None (an iterable dataset) asks the workers in turn for the
        next batch of their own streams, leaving out each worker whose stream has ended,
        until all have."""
        self.epoch += 1   # results of an earlier, abandoned epoch are recognised and dropped
        active = set(range(self.num_workers))   # workers whose streams go on
        assignments = self._assignments(tasks, active)
        owners = {}       # batch number -> the worker fetching it
        arrived = {}
        sent = 0
        for number in itertools.count():
            while sent - number < self.in_flight_limit:
                assignment = next(assignments, None)
                if assignment is None:
                    break
                owners[sent], indices = assignment
                self.task_queues[owners[sent]].put((self.epoch, sent, indices))
                sent += 1
            if number == sent:
                return
            while number not in arrived:
                epoch, arrived_number, batch = self._receive()
                if epoch == self.epoch:
                    arrived[arrived_number] = batch
            batch, owner = arrived.pop(number), owners.pop(number)
            if isinstance(batch, _StreamEnded):
                active.discard(owner)
            elif isinstance(batch, _WorkerError):   # raised in its turn, as torch does
                self.shutdown()
                batch.reraise()
            else:
                yield batch

    def _assignments(self, tasks, active):
        """(worker, indices) for each batch to fetch, in order (see batches); for an
        iterable dataset, from the workers still in `active`, which batches updates."""
        if tasks is not None:
            for number, indices in enumerate(tasks):
                yield number % self.num_workers, indices
            return
        for worker in itertools.cycle(range(self.num_workers)):
            if not active:
                return
            if worker in active:
                yield worker, None

    def _receive(self):
        """The next (epoch, batch number, batch) from any worker, checking that they are
        alive while waiting and raising after `timeout` seconds (if positive) without
        one, or at once for a failed worker_init_fn."""
        waited = 0.0
        while True:
            interval = _STATUS_INTERVAL if not self.timeout else \
                min(_STATUS_INTERVAL, self.timeout - waited)
            try:
                epoch, number, batch = self.results.get(timeout=interval)
            except queue.Empty:
                waited += interval
            else:
                if number is None:   # worker_init_fn failed: no batch will come
                    self.shutdown()
                    batch.reraise()
                return epoch, number, batch
            dead = [p for p in self.processes if not p.is_alive()]
            if dead:
                self.shutdown()
                raise RuntimeError(
                    f"DataLoader worker (pid {dead[0].pid}) exited unexpectedly with exit "
                    f"code {dead[0].exitcode}")
            if self.timeout and waited >= self.timeout:
                self.shutdown()
                raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds")

    def shutdown(self):
        """Stop every worker (idempotent)."""
        if not self.processes:
            return
        for tasks, process in zip(self.task_queues, self.processes):
            if process.is_alive():
                tasks.put(None)
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
        for channel in self.task_queues + [self.results]:
            channel.cancel_join_thread()
            channel.close()
        self.processes = []
