"""The DataLoader's worker processes: what each one runs, how it is seeded, and
``get_worker_info``.

Worker ``i`` of an iterator whose base seed is ``base_seed`` seeds, as PyTorch's does,
Python's ``random`` and ``ember``'s default generator with ``base_seed + i``, and NumPy's
global generator with ``SeedSequence([i, base_seed & 0xffffffff, base_seed >> 32, 0])``
(the four words PyTorch's ``_generate_state`` computes). So a worker draws the same random
numbers under ember as under PyTorch.

Messages on the queues: the main process sends ``(task_index, batch_indices)``,
``ResumeIteration`` (a new epoch with persistent workers) or ``None`` (exit); a worker
answers ``(task_index, batch)``, where the batch may be an ``ExceptionWrapper`` or, for an
exhausted iterable dataset, ``IterableDatasetStopIteration``.
"""

import dataclasses
import os
import queue
import random
import sys
import traceback

import numpy as np

from ._fetch import create_fetcher

__all__ = ["WorkerInfo", "get_worker_info"]

# How often a waiting worker or main process checks that its peer is still alive.
MP_STATUS_CHECK_INTERVAL = 5.0

_worker_info = None


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = "multiprocessing"


def get_worker_info():
    """In a DataLoader worker process, its ``WorkerInfo`` (``id``, ``num_workers``,
    ``seed``, ``dataset``: this worker's copy); ``None`` in the main process."""
    return _worker_info


@dataclasses.dataclass(frozen=True)
class IterableDatasetStopIteration:
    worker_id: int


@dataclasses.dataclass(frozen=True)
class ResumeIteration:
    seed: object = None


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback
    and raised there again as the same type."""

    def __init__(self, where):
        exc_type, value, tb = sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, value, tb))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # no frame -> exception -> traceback -> frame cycle: the iterator, which the
            # traceback's frames hold, must be freed (and its workers stopped) promptly
            del exception


class _KeyErrorMessage(str):
    """KeyError shows its argument's repr; this keeps the traceback's newlines readable."""

    def __repr__(self):
        return self


def numpy_seed(base_seed, worker_id):
    """The uint32 words a worker seeds NumPy's global generator with."""
    words = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(words).generate_state(4)


def worker_loop(iterable, dataset, index_queue, data_queue, done_event, auto_collation,
                collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers):
    """The body of worker process ``worker_id``: fetch the batches asked for until told to
    stop or until the main process is gone."""
    global _worker_info
    import ember

    try:
        seed = base_seed + worker_id
        random.seed(seed)
        ember.manual_seed(seed)
        np.random.seed(numpy_seed(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
        iteration_end = False
        parent = os.getppid()
        while os.getppid() == parent:
            try:
                message = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if done_event.is_set():  # the main process stopped without reaching us
                    break
                continue
            if isinstance(message, ResumeIteration):
                data_queue.put((message, None))
                iteration_end = False
                fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn,
                                         drop_last)
                continue
            if message is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            task, index = message
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as error:
                    if isinstance(error, StopIteration) and iterable:
                        data = IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
            data_queue.put((task, data))
            del data, index, message  # a batch should not outlive its sending
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
