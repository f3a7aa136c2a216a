"""Command line: `python -m ae_core train|evaluate|export|classify|info` (the shipped models were made with it)."""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from ae_core.data.catalog import DATASET_KEYS
from ae_core.paths import SHIPPED_MODELS_DIR, is_shipped, user_models_dir

TRAIN_KINDS = ("dense", "conv", "denoising", "vae", "perclass", "compression")


def _parser() -> argparse.ArgumentParser:
    """The command line: one declaration per option, kept together so --help and the code read alike."""
    p = argparse.ArgumentParser(prog="python -m ae_core", description="Autoencoder Lab engine")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model and save it with its JSON sidecar")
    t.add_argument("--model", required=True, choices=TRAIN_KINDS)
    t.add_argument("--epochs", type=int, default=10)
    t.add_argument("--batch-size", type=int, default=128)
    t.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    t.add_argument("--lr-schedule", choices=("constant", "cosine"), default="constant")
    t.add_argument("--code-size", type=int, default=16, help="dense AE code size")
    t.add_argument("--hidden", type=int, nargs="+", default=[64, 32], help="dense AE hidden widths")
    t.add_argument("--filters", type=int, nargs=3, default=[32, 32, 8], help="conv AE filters (last = code depth)")
    t.add_argument("--latent-dim", type=int, default=2, help="VAE latent size")
    t.add_argument("--beta", type=float, default=1.0, help="VAE KL weight")
    t.add_argument("--noise-factor", type=float, default=0.5, help="denoising AE Gaussian noise factor")
    t.add_argument("--train-size", type=int, default=None, help="use only the first N training images")
    t.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 8, 16, 32, 64], help="compression code sizes")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--dataset", choices=DATASET_KEYS, default="mnist",
                   help="train on MNIST digits or Fashion-MNIST clothing (recorded in the sidecar)")
    t.add_argument("--data", default=None, help="path to the dataset (mnist.npz, or a Fashion-MNIST idx folder/.npz); "
                                               "else $AE_LAB_MNIST / $AE_LAB_FASHION_MNIST, the system copy, "
                                               "the Keras cache, a download")
    t.add_argument("--out", default=None, help="output .keras file (a folder for perclass/compression); "
                                               "default: the user models folder")
    t.add_argument("--replace-shipped", action="store_true", help="allow replacing a model in assets/models")
    t.add_argument("--augment", action="store_true",
                   help="train on drawn-like variants (tilt, shift, zoom, stroke weight, elastic), new each epoch")
    t.add_argument("--init-from", default=None, help="continue training from this .keras model (same kind)")
    t.add_argument("--resume", action="store_true",
                   help="continue an interrupted run of this same command from its last finished epoch "
                        "(the backup in <out>.backup/, kept each epoch and removed once the model is saved)")
    t.add_argument("--vae-layers", choices=("conv", "dense"), default="conv",
                   help="VAE body: convolutional, or fully connected (much faster to train)")

    e = sub.add_parser("evaluate", help="test-set figures of saved models against the quality floors")
    e.add_argument("paths", nargs="*", help="model files (default: every shipped model)")
    e.add_argument("--dataset", choices=DATASET_KEYS, default=None,
                   help="test set to use (default: the one each model's sidecar names)")
    e.add_argument("--data", default=None, help="path to the dataset")
    e.add_argument("--write", action="store_true", help="store the figures in each model's sidecar")

    x = sub.add_parser("export", help="write the ONNX files of saved models beside them, listed in their sidecars")
    x.add_argument("paths", nargs="*", help="model files (default: every shipped model)")

    c = sub.add_parser("classify", help="classify image files with the per-class autoencoders (as the app does)")
    c.add_argument("images", nargs="+", help="image files (any size or mode, dark-on-light or light-on-dark)")
    c.add_argument("--dataset", choices=("mnist", "fashion"), default="mnist")

    sub.add_parser("info", help="list the shipped models and their sidecar figures")
    return p


def _progress_verbosity() -> int:
    return 1 if sys.stdout.isatty() else 2


def _load_data(path: str | None, dataset: str = "mnist"):
    from ae_core.data.datasets import DatasetNotFoundError, load_dataset, to_float_images
    try:
        (xtr, ytr), (xte, yte) = load_dataset(dataset, path)
    except DatasetNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    return to_float_images(xtr), ytr, to_float_images(xte), yte


def _config(args, kind: str, **over):
    from ae_core.training.fit import TrainConfig
    return TrainConfig(kind=kind, epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
                       code_size=args.code_size, hidden=tuple(args.hidden), filters=tuple(args.filters),
                       latent_dim=args.latent_dim, beta=args.beta, noise_factor=args.noise_factor,
                       train_size=args.train_size, seed=args.seed, lr_schedule=args.lr_schedule,
                       augment=args.augment, dataset=args.dataset, vae_layers=args.vae_layers, **over)


def cmd_train(args) -> int:
    from ae_core.training.fit import ConfigError, validate_config
    from ae_core.training.series import ResumeError, check_backup
    kind = args.model
    default_out = user_models_dir() / (kind if kind in ("perclass", "compression") else f"{kind}.keras")
    out = Path(args.out) if args.out else default_out
    try:  # validate before loading data
        validate_config(_config(args, "dense" if kind in ("perclass", "compression") else kind))
        if kind not in ("perclass", "compression"):  # a series checks each member's backup in its turn
            check_backup(out, _config(args, kind), args.resume)
    except (ConfigError, ResumeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if is_shipped(out) and out.exists() and not args.replace_shipped:
        print(f"error: {out} is a shipped model and is never overwritten; choose another --out "
              "(maintainers regenerating assets pass --replace-shipped)", file=sys.stderr)
        return 2
    xtr, ytr, xte, yte = _load_data(args.data, args.dataset)
    from ae_core.training import series  # TensorFlow loads here, once the data is there
    common = {"command": "python -m ae_core " + shlex.join(args.argv), "replace_shipped": args.replace_shipped,
              "init_from": args.init_from, "verbose": _progress_verbosity(), "resume": args.resume}
    try:
        if kind == "perclass":
            series.train_perclass(_config(args, "dense"), xtr, ytr, xte, yte, out, **common)
        elif kind == "compression":
            series.train_compression(_config(args, "dense"), xtr, xte, out, sizes=args.sizes, **common)
        else:
            series.train_one(_config(args, kind), xtr, xte, out, labels=(ytr, yte), **common)
    except series.ResumeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def _shipped_paths() -> list[Path]:
    return sorted(SHIPPED_MODELS_DIR.rglob("*.keras"))


def cmd_evaluate(args) -> int:
    from ae_core.data.catalog import dataset_key
    from ae_core.training.evaluation import KNN_NOTE, evaluate_model, elbo_note, floor_status
    from ae_core.models.files import ModelFileError, load_model, read_sidecar, write_sidecar
    paths = [Path(p) for p in args.paths] or _shipped_paths()
    if not paths:
        print("no models to evaluate", file=sys.stderr)
        return 2
    data_sets: dict[str, tuple] = {}  # each dataset's (x_train, y_train, x_test, y_test), loaded when first needed
    missed = 0
    print(f"{'model':28s} {'metric':10s} {'value':>10s} {'floor':>8s}  status")
    for path in paths:
        info = read_sidecar(path)
        dataset = dataset_key(args.dataset or (info.get("dataset") or {}).get("name") or "mnist")
        if dataset not in data_sets:
            data_sets[dataset] = _load_data(args.data, dataset)
        shown = str(path.relative_to(path.parent.parent)) if path.parent.name in ("perclass", "compression") \
            else (f"{dataset}/{path.stem}" if dataset != "mnist" else path.stem)
        try:
            model = load_model(path)
        except ModelFileError as e:
            print(f"{shown:28s} error: {e}")
            missed += 1
            continue
        kind = info.get("kind") or ("vae" if path.stem.startswith("vae") else "dense")
        xtr, ytr, xte, yte = data_sets[dataset]
        figures = evaluate_model(model, kind, xte, y_test=yte, train=(xtr, ytr), dataset=dataset)
        status = floor_status(path.stem, figures, dataset) if path.parent.name != "perclass" else None
        if status:
            metric, value, floor, ok = status
            missed += not ok
            print(f"{shown:28s} {metric:10s} {value:10.4f} {floor:8.4f}  {'ok' if ok else 'MISSED'}")
        else:
            extra = f"  (PCA {info['pca_mse']:.4f})" if "pca_mse" in info else ""
            print(f"{shown:28s} {'mse':10s} {figures['mse']:10.4f} {'-':>8s}{extra}")
        if kind == "vae":
            print(f"{'':28s} neg_elbo {figures['neg_elbo']:.2f} nats ({elbo_note(dataset)})")
        if "knn5_accuracy" in figures:
            print(f"{'':28s} {'knn5':10s} {figures['knn5_accuracy']:10.4f}")
        if args.write and info:
            notes = {"knn_note": KNN_NOTE} if "knn5_accuracy" in figures else {}
            write_sidecar(path, {**info, "test_metrics": figures, **notes})
    return 1 if missed else 0


def cmd_export(args) -> int:
    import time

    from ae_core.models.files import ModelFileError
    from ae_core.models.onnx_export import OnnxExportError, export_file, shipped_model_paths
    from ae_core.training.series import describe_export
    paths = [Path(p) for p in args.paths] or shipped_model_paths()
    failed = 0
    for path in paths:
        start = time.perf_counter()
        try:
            info = export_file(path)
        except (ModelFileError, OnnxExportError) as e:
            print(f"{path}: error: {e}", flush=True)
            failed += 1
            continue
        print(describe_export(path, info, time.perf_counter() - start), flush=True)
    return 1 if failed else 0


def cmd_classify(args) -> int:
    from ae_core.serving.file_classifier import ClassifierMissingError, classify_files, open_classifier
    try:
        clf = open_classifier(args.dataset)
    except ClassifierMissingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"# file  predicted  {clf.error_label} under the autoencoder of class 0 .. 9")
    failed = 0
    for result in classify_files(args.images, clf, args.dataset):
        failed += result.problem is not None
        print(result.line(), file=sys.stderr if result.problem else sys.stdout, flush=True)
    return 1 if failed else 0


def cmd_info(_args) -> int:
    from ae_core.models.files import read_sidecar
    for path in _shipped_paths():
        info = read_sidecar(path)
        print(f"{str(path.relative_to(SHIPPED_MODELS_DIR)):24s} kind={info.get('kind', '?'):10s} "
              f"epochs={info.get('epochs_run', '?')} params={info.get('params', '?')} "
              f"test={json.dumps(info.get('test_metrics', {}))}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m ae_core`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    args.argv = argv
    return {"train": cmd_train, "evaluate": cmd_evaluate, "export": cmd_export, "classify": cmd_classify,
            "info": cmd_info}[args.command](args)
