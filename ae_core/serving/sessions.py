"""One ONNX Runtime session per ONNX file: opened once, run from any thread, big batches spread over the cores."""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ae_core.models.errors import ModelFileError

#: Rows per chunk below which a batch runs in one call (splitting costs more than it saves).
MIN_CHUNK = 128


def parallel_workers() -> int:
    """How many single-threaded runs can usefully go at once (the cores this process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def session_options() -> ort.SessionOptions:
    """One thread per run: a single 28x28 image is too small to share, and runs go side by side instead."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.log_severity_level = 3
    return so


class OnnxFunction:
    """An ONNX file as a function: float32 array in, list of float32 arrays out."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        try:
            self.session = ort.InferenceSession(str(self.path), sess_options=session_options(),
                                                providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - ONNX Runtime raises its own exception types
            first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
            raise ModelFileError(f"{self.path.name} could not be opened by ONNX Runtime: {first}") from None
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        self.input_shape = tuple(d if isinstance(d, int) else None for d in inp.shape)
        self.output_names = [o.name for o in self.session.get_outputs()]

    def __call__(self, x: np.ndarray) -> list[np.ndarray]:
        """Every output for one batch."""
        return self.session.run(None, {self.input_name: np.ascontiguousarray(x, dtype=np.float32)})

    def batched(self, x: np.ndarray) -> list[np.ndarray]:
        """Every output for a batch of any size, in chunks on parallel threads (ONNX Runtime releases the GIL)."""
        x = np.asarray(x, dtype=np.float32)
        workers = parallel_workers()
        if len(x) < 2 * MIN_CHUNK or workers == 1:
            return self(x)
        step = max(MIN_CHUNK, math.ceil(len(x) / workers))
        chunks = [x[i:i + step] for i in range(0, len(x), step)]
        with ThreadPoolExecutor(min(len(chunks), workers)) as pool:
            parts = list(pool.map(self, chunks))
        return [np.concatenate([p[k] for p in parts]) for k in range(len(self.output_names))]
