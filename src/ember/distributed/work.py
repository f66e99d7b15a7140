"""``Work``: the handle an ``async_op=True`` collective (or ``isend``/``irecv``) returns.

It holds the MPI requests in flight and what to do once they finish (divide for
``ReduceOp.AVG``, copy a staging buffer back into a non-contiguous tensor, split a gathered
buffer into the output list). That step runs exactly once, in whichever of ``wait()`` or
``is_completed()`` first sees the requests done.
"""

import time

from . import _mpi

__all__ = ["Work"]


class Work:
    """A collective or point-to-point operation in flight."""

    def __init__(self, group, requests, what, finish=None, result=(), statuses=None):
        self._group = group
        self._requests = requests
        self._statuses = statuses
        self._what = what
        self._finish = finish
        self._result = list(result)
        self._done = False
        self._source = None

    def _complete(self):
        if not self._done:
            self._done = True
            if self._finish is not None:
                self._finish()

    def is_completed(self):
        """Whether the operation has finished (does not block)."""
        if not self._done and _mpi.test_all(self._group, self._requests, self._what,
                                            self._statuses):
            self._complete()
        return self._done

    def wait(self, timeout=None):
        """Block until the operation finishes, at most ``timeout`` (a ``timedelta``;
        default: the group's timeout), then raise a RuntimeError."""
        if not self._done:
            seconds = (self._group._timeout if timeout is None else timeout).total_seconds()
            _mpi.wait_all(self._group, self._requests, self._what,
                          time.monotonic() + seconds, self._statuses)
            self._complete()
        return True

    def is_success(self):
        return self.is_completed()

    def exception(self):
        return None

    def result(self):
        """The output tensors of the operation."""
        self.wait()
        return list(self._result)

    def source_rank(self):
        """For ``irecv`` from any source: the global rank the message came from."""
        self.wait()
        if self._source is None:
            raise RuntimeError("source_rank() is only available for a recv from any source")
        return self._source

    def __repr__(self):
        state = "completed" if self._done else "pending"
        return f"<ember.distributed.Work {self._what} {state}>"
