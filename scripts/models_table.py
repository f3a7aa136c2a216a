"""Print the README's table of shipped models from their JSON sidecars (figures never typed by hand).

`python scripts/models_table.py fashion` prints the Fashion-MNIST models' table (assets/models/fashion).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ae_core.training.evaluation import FASHION_PCA_MSE, FLOORS, floor_status  # noqa: E402

M = ROOT / "assets" / "models"


def main() -> None:
    print("| model | params | code | epochs | train time | test figure | floor |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in ("dense", "conv", "denoising", "vae2", "vae16"):
        p = M / f"{name}.json"
        if not p.exists():
            print(f"| {name} | - | - | - | - | not shipped yet | - |")
            continue
        d = json.loads(p.read_text())
        metric, floor = FLOORS[name]
        value = d["test_metrics"][metric]
        epochs = d.get("epochs_total", d["epochs_run"])
        wall = d["wall_time_s"] + sum(c.get("wall_time_s") or 0 for c in _chain(d))
        label = "neg. ELBO (nats)" if metric == "neg_elbo" else ("MSE vs clean, noise 0.5" if name == "denoising"
                                                               else "MSE")
        ok = "met" if value <= floor else "MISSED"
        print(f"| {name} | {d['params']:,} | {d['code_size']} | {epochs} | {wall / 60:.0f} min | "
              f"{label} {value:.4f} | <= {floor} ({ok}) |")
    comp = sorted(M.glob("compression/code_*.json"), key=lambda p: int(p.stem.split("_")[1]))
    if comp:
        print("\n| code size | ratio | autoencoder MSE | PCA MSE |\n| --- | --- | --- | --- |")
        for p in comp:
            d = json.loads(p.read_text())
            k = int(p.stem.split("_")[1])
            print(f"| {k} | {784 / k:.0f}:1 | {d['test_metrics']['mse']:.4f} | {d['pca_mse']:.4f} |")
    summary = M / "perclass" / "summary.json"
    if summary.exists():
        acc = json.loads(summary.read_text())["accuracy"]
        print(f"\nPer-class autoencoders (ten dense AEs, one per digit): test accuracy {acc:.2%}.")


def fashion() -> None:
    """The Fashion-MNIST models: each one's test figure against its floor (PCA with as many numbers)."""
    f = M / "fashion"
    print("| model | params | code | epochs | train time | test MSE | floor | neg. ELBO (nats) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = [(name, f / f"{name}.json") for name in ("dense", "conv", "denoising", "vae2", "vae16")]
    rows += [(f"code_{k}", f / "compression" / f"code_{k}.json") for k in FASHION_PCA_MSE if k <= 64]
    for name, p in rows:
        if not p.exists():
            print(f"| {name} | - | - | - | - | not shipped yet | - | - |")
            continue
        d = json.loads(p.read_text())
        metric, value, floor, ok = floor_status(name, d["test_metrics"], "fashion")
        what = f"{value:.4f}" + (f" (noisy input {d['test_metrics']['noisy_input_mse']:.4f})"
                                 if name == "denoising" else "")
        elbo = f"{d['test_metrics']['neg_elbo']:.1f}" if "neg_elbo" in d["test_metrics"] else "-"
        print(f"| {name} | {d['params']:,} | {d['code_size']} | {d.get('epochs_total', d['epochs_run'])} | "
              f"{d['wall_time_s'] / 60:.0f} min | {what} | <= {floor:.4f} ({'met' if ok else 'MISSED'}) | {elbo} |")
    summary = f / "perclass" / "summary.json"
    if summary.exists():
        d = json.loads(summary.read_text())
        print(f"\nPer-class autoencoders (ten dense AEs, one per clothing class): test accuracy {d['accuracy']:.2%}.")


def _chain(d: dict):
    c = d.get("continued_from")
    while c:
        yield c
        c = c.get("continued_from")


if __name__ == "__main__":
    fashion() if sys.argv[1:] == ["fashion"] else main()
