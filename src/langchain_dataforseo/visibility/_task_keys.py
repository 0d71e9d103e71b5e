"""A run's task keys as a lazy sequence: constant memory, whatever the task count."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

TaskKey = tuple[int, str, str, int]
"""One task of a run: ``(prompt_index, engine, surface, sample)``."""


class TaskKeys(Sequence[TaskKey]):
    """A run's tasks, ``(prompt_index, engine, surface, sample)``, computed on demand.

    A sequence of constant size in memory, whatever the task count: ``len`` is a product,
    iteration yields one key at a time, and ``keys[i]`` is computed from ``i``. The order is
    by prompt, then engine (the panel's order), then surface, then sample.

    Args:
        prompts: The number of prompts.
        pairs: The ``(engine, surface)`` pairs, in order.
        samples: Samples per prompt and pair.
    """

    def __init__(self, prompts: int, pairs: Sequence[tuple[str, str]], samples: int) -> None:
        self._prompts = prompts
        self._pairs = tuple(pairs)
        self._samples = samples

    def __len__(self) -> int:
        return self._prompts * len(self._pairs) * self._samples

    def __iter__(self) -> Iterator[TaskKey]:
        for p_index in range(self._prompts):
            for engine, surface in self._pairs:
                for sample in range(self._samples):
                    yield (p_index, engine, surface, sample)

    @overload
    def __getitem__(self, index: int) -> TaskKey: ...

    @overload
    def __getitem__(self, index: slice) -> list[TaskKey]: ...

    def __getitem__(self, index: int | slice) -> TaskKey | list[TaskKey]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("task key index out of range")
        rest, sample = divmod(index, self._samples)
        p_index, pair = divmod(rest, len(self._pairs))
        engine, surface = self._pairs[pair]
        return (p_index, engine, surface, sample)
