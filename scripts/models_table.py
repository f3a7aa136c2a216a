"""Print the README's table of shipped models from their JSON sidecars (figures never typed by hand)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ae_core.training.evaluation import FLOORS  # noqa: E402

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


def _chain(d: dict):
    c = d.get("continued_from")
    while c:
        yield c
        c = c.get("continued_from")


if __name__ == "__main__":
    main()
