"""ONNX files beside a `.keras` model (whole AE, encoder, decoder, conv activations), listed in its sidecar.

For `<dir>/<stem>.keras` the files are `<stem>.onnx` (image -> image), `<stem>.encoder.onnx` (image -> code;
a VAE's gives z_mean then z_log_var), `<stem>.decoder.onnx` (code -> image; a VAE's also gives the logits)
and, for conv AEs, `<stem>.activations.onnx` (image -> every encoder layer's output, then every decoder
layer's). Keras and TensorFlow are imported inside the export functions only: importing this module, and
`stale_onnx`, stays cheap enough for pages that must not wait for TensorFlow.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ae_core.shapes import IMAGE_SHAPE
from ae_core.models.catalog import BETA_SERIES
from ae_core.models.sidecars import read_sidecar, sidecar_path
from ae_core.paths import SHIPPED_MODELS_DIR

if TYPE_CHECKING:
    import keras

ROLES = ("model", "encoder", "decoder", "activations")
#: An export is kept only if ONNX Runtime agrees with Keras on a check batch to within atol + rtol * |keras|.
CHECK_ATOL = 1e-4
CHECK_RTOL = 1e-4
SHIPPED_NAMES = ("dense", "conv", "denoising", "vae2", "vae16")
COMPRESSION_SIZES = (2, 4, 8, 16, 32, 64)


class OnnxExportError(RuntimeError):
    """An ONNX export that failed or whose file does not reproduce the Keras model."""


def onnx_path(model_path: str | os.PathLike, role: str) -> Path:
    """Where the ONNX file of `role` lives for a model file."""
    path = Path(model_path)
    return path.with_name(path.stem + ("" if role == "model" else f".{role}") + ".onnx")


def file_sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _family_paths(folder: Path) -> list[Path]:
    """A dataset's 21 model files: five main models, ten per-class AEs, six compression AEs."""
    top = [folder / f"{name}.keras" for name in SHIPPED_NAMES]
    perclass = [folder / "perclass" / f"digit_{d}.keras" for d in range(10)]
    compression = [folder / "compression" / f"code_{k}.keras" for k in COMPRESSION_SIZES]
    return top + perclass + compression


def shipped_model_paths() -> list[Path]:
    """The shipped `.keras` files: MNIST's 21 and its two beta-VAEs, then those of Fashion-MNIST's 21 that are
    shipped (fashion/)."""
    beta = [SHIPPED_MODELS_DIR / f"{name}.keras" for name in BETA_SERIES.values() if name not in SHIPPED_NAMES]
    fashion = [p for p in _family_paths(SHIPPED_MODELS_DIR / "fashion") if p.is_file()]
    return _family_paths(SHIPPED_MODELS_DIR) + beta + fashion


def expected_roles(info: dict) -> tuple[str, ...]:
    """The ONNX roles a sidecar should list.

    A VAE serves from its encoder and decoder (its whole model would repeat both, weights included); a model
    without encoder/decoder sub-models (an upload) has the whole model only; conv AEs add 'activations'.
    """
    arch = info.get("architecture")
    if isinstance(arch, dict):
        if arch.get("reconstruct_only"):
            return ("model",)
        if arch.get("is_vae"):
            return ("encoder", "decoder")
        conv = any(row.get("part") == "encoder" and row.get("type") == "Conv2D" for row in arch.get("layers", []))
    else:  # a sidecar from before the export: the kind is all there is
        if info.get("kind") == "vae":
            return ("encoder", "decoder")
        conv = info.get("kind") in ("conv", "denoising")
    return ROLES if conv else ROLES[:3]


def stale_onnx(model_path: str | os.PathLike) -> list[str]:
    """Problems with a model's ONNX files (missing entries or files, sha256 mismatches); [] when all fine."""
    model_path = Path(model_path)
    info = read_sidecar(model_path)
    entries = info.get("onnx")
    if not isinstance(entries, dict):
        return [f"{sidecar_path(model_path).name} lists no ONNX files"]
    problems = []
    source = info.get("onnx_source")
    if isinstance(source, dict) and model_path.is_file() and source.get("sha256") != file_sha256(model_path):
        problems.append(f"{model_path.name} changed after its ONNX export")
    for role in expected_roles(info):
        entry = entries.get(role)
        if not isinstance(entry, dict) or not entry.get("file"):
            problems.append(f"no ONNX '{role}' entry in the sidecar")
            continue
        path = model_path.with_name(entry["file"])
        if not path.is_file():
            problems.append(f"{entry['file']} is missing")
        elif file_sha256(path) != entry.get("sha256"):
            problems.append(f"{entry['file']} does not match the sha256 in the sidecar")
    return problems


def onnx_versions() -> dict[str, str]:
    """Versions of the libraries that write and check the ONNX files."""
    return {name: metadata.version(name) for name in ("onnx", "tf2onnx", "onnxruntime")}


def architecture_info(model: keras.Model) -> dict[str, Any]:
    """The model card as plain data (so the architecture view needs no Keras), plus is_vae and latent_dim."""
    from ae_core.models.architecture import model_card
    from ae_core.models.vae import VAE
    if not _has_parts(model):
        return {"params": int(model.count_params()), "is_vae": False, "reconstruct_only": True}
    card = asdict(model_card(model))
    card["code_shape"] = list(card["code_shape"])
    card["is_vae"] = isinstance(model, VAE)
    if card["is_vae"]:
        card["latent_dim"] = int(model.latent_dim)
    return card


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _outputs(value) -> list[np.ndarray]:
    return [np.asarray(v) for v in _as_list(value)]


def _activations_model(enc: keras.Model, dec: keras.Model) -> tuple[keras.Model, list[dict]]:
    """Image -> each encoder layer's output, then each decoder layer's output (after their InputLayers)."""
    import keras
    enc_layers, dec_layers = enc.layers[1:], dec.layers[1:]
    enc_all = keras.Model(enc.input, [layer.output for layer in enc_layers], name="encoder_activations")
    dec_all = keras.Model(dec.input, [layer.output for layer in dec_layers], name="decoder_activations")
    # the decoder runs on the encoder's output tensor, which need not be its last layer's in a general graph
    code_at = next(i for i, layer in enumerate(enc_layers) if layer.output is enc.outputs[0])
    image = keras.Input(IMAGE_SHAPE, name="image")
    enc_out = _as_list(enc_all(image))
    dec_out = _as_list(dec_all(enc_out[code_at]))
    rows = [{"name": layer.name, "part": part, "type": type(layer).__name__,
             "shape": [int(d) for d in layer.output.shape[1:]]}
            for part, layers in (("encoder", enc_layers), ("decoder", dec_layers)) for layer in layers]
    return keras.Model(image, [*enc_out, *dec_out], name="activations"), rows


def _has_parts(model: keras.Model) -> bool:
    """Whether the model has encoder and decoder sub-models (every model built here; not every upload)."""
    from ae_core.models.builders import decoder_of, encoder_of
    try:
        encoder_of(model), decoder_of(model)
    except (ValueError, AttributeError):
        return False
    return True


def _plan(model: keras.Model) -> dict[str, tuple[keras.Model, str, np.ndarray, dict]]:
    """Per role: the Keras model to export, its input name, a check batch and extra sidecar fields."""
    import keras

    from ae_core.models.builders import decoder_of, encoder_of
    from ae_core.models.vae import VAE
    images = np.random.default_rng(0).random((4, *IMAGE_SHAPE), dtype=np.float32)
    if not _has_parts(model):
        return {"model": (model, "image", images, {})}
    enc, dec = encoder_of(model), decoder_of(model)
    codes = _outputs(enc(images, training=False))[0]  # the decoder is checked on codes it really receives
    plan = {"encoder": (enc, "image", images, {})}
    if not isinstance(model, VAE):  # a VAE's whole model would only repeat its encoder and decoder
        plan["model"] = (model, "image", images, {})
    if isinstance(model, VAE):
        # the logits as a second output: the ELBO needs them, and log(sigmoid) of rounded probabilities is not it
        dec = keras.Model(dec.input, [dec.output, dec.get_layer("logits").output], name="decoder_with_logits")
    plan["decoder"] = (dec, "code", codes, {})
    if not isinstance(model, VAE) and any(isinstance(layer, keras.layers.Conv2D) for layer in enc.layers):
        act, rows = _activations_model(enc, decoder_of(model))
        plan["activations"] = (act, "image", images, {"layers": rows})
    return plan


def _io(nodes) -> list[dict]:
    return [{"name": n.name, "shape": [d if isinstance(d, int) else None for d in n.shape]} for n in nodes]


def _export_role(kmodel: keras.Model, input_name: str, batch: np.ndarray, target: Path) -> dict:
    """Export one Keras model to `target`, check it in ONNX Runtime against Keras, return its inputs/outputs."""
    import onnxruntime as ort
    import tensorflow as tf
    expected = _outputs(kmodel(batch, training=False))  # also builds a model that was never called
    signature = [tf.TensorSpec((None, *batch.shape[1:]), tf.float32, name=input_name)]
    with warnings.catch_warnings():  # Keras' numpy-2 patch of tf2onnx warns about np.object on every export
        warnings.simplefilter("ignore", FutureWarning)
        kmodel.export(str(target), format="onnx", verbose=False, input_signature=signature)
    sess = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    got = sess.run(None, {sess.get_inputs()[0].name: batch})
    if len(got) != len(expected):
        raise OnnxExportError(f"{kmodel.name}: ONNX gives {len(got)} outputs, Keras {len(expected)}")
    for i, (g, e) in enumerate(zip(got, expected)):
        if g.shape != e.shape or not np.allclose(g, e, atol=CHECK_ATOL, rtol=CHECK_RTOL):
            diff = float(np.abs(g - e).max()) if g.shape == e.shape else f"shape {g.shape} vs {e.shape}"
            raise OnnxExportError(f"{kmodel.name}: ONNX output {i} differs from Keras ({diff})")
    return {"inputs": _io(sess.get_inputs()), "outputs": _io(sess.get_outputs())}


def _temp_beside(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _write_onnx_files(model: keras.Model, model_path: Path) -> dict[str, dict]:
    """Export every role to temp files, then move them all into place; on any failure none are moved."""
    temps: dict[str, Path] = {}
    entries: dict[str, dict] = {}
    try:
        for role, (kmodel, input_name, batch, extra) in _plan(model).items():
            final = onnx_path(model_path, role)
            temps[role] = tmp = _temp_beside(final)
            io = _export_role(kmodel, input_name, batch, tmp)
            entries[role] = {"file": final.name, "sha256": file_sha256(tmp), "bytes": tmp.stat().st_size,
                             **io, **extra}
        for role, tmp in temps.items():
            os.chmod(tmp, 0o644)
            os.replace(tmp, onnx_path(model_path, role))
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    return entries


def export_model(model: keras.Model, model_path: str | os.PathLike) -> dict:
    """Write the ONNX files of an already loaded `model` beside `model_path`, update its sidecar, return it."""
    from ae_core.models.files import write_sidecar
    model_path = Path(model_path)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    entries = _write_onnx_files(model, model_path)
    for role in ROLES:  # a file of a role this model has not (left by an earlier model of another kind)
        if role not in entries:
            onnx_path(model_path, role).unlink(missing_ok=True)
    info = {**read_sidecar(model_path), "onnx": entries, "onnx_versions": onnx_versions(),
            "architecture": architecture_info(model)}
    info.pop("onnx_source", None)
    if model_path.is_file():  # lets stale_onnx notice a model file replaced after this export
        info["onnx_source"] = {"file": model_path.name, "sha256": file_sha256(model_path)}
    write_sidecar(model_path, info)
    return info


def export_file(model_path: str | os.PathLike) -> dict:
    """Load a `.keras` file (safe mode) and export its ONNX files; return the updated sidecar."""
    import ae_core.models.vae  # noqa: F401  (registers the VAE class, which loading a VAE file needs)
    from ae_core.models.files import load_model
    return export_model(load_model(model_path), model_path)
