"""Build the small shipped samples in assets/data from the full MNIST and Fashion-MNIST test sets."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from ae_core.data.datasets import load_fashion_mnist, load_mnist, sample_path  # noqa: E402

MNIST_NPZ = REPO_ROOT.parent / "shared" / "data" / "mnist.npz"
SAMPLE_SIZES = {"mnist": 3000, "fashion_mnist": 2000}


def write_sample(name: str, x: np.ndarray, y: np.ndarray) -> Path:
    """Save the first SAMPLE_SIZES[name] test images and labels as a compressed npz."""
    n = SAMPLE_SIZES[name]
    out = sample_path(name)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, x=x[:n], y=y[:n])
    print(f"wrote {out.relative_to(REPO_ROOT)}: {n} images, {out.stat().st_size / 1024:.0f} KiB")
    return out


def main() -> None:
    """Write mnist_sample.npz and fashion_mnist_sample.npz."""
    mnist_source = MNIST_NPZ if MNIST_NPZ.is_file() else None
    _, (x, y) = load_mnist(mnist_source)
    write_sample("mnist", x, y)
    _, (x, y) = load_fashion_mnist()
    write_sample("fashion_mnist", x, y)


if __name__ == "__main__":
    main()
