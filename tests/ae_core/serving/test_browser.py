"""The browser's manifest: the same from a model's sidecar alone as from its opened ONNX files."""
import shutil

from ae_core.serving.browser import browser_manifest
from ae_core.serving.registry import models_folder
from ae_core.serving.runners import open_model, unopened_model


def test_manifest_from_the_sidecar_alone_equals_the_opened_models():
    folder = models_folder("mnist")
    names = ("dense", "conv", "vae2")
    opened = {n: open_model(folder / f"{n}.keras", n) for n in names}
    unopened = {n: unopened_model(folder / f"{n}.keras", n) for n in names}
    got, want = browser_manifest(unopened), browser_manifest(opened)
    assert got == want
    assert got["models"]["vae2"]["code_shape"] == [2]
    assert set(got["models"]["conv"]["files"]) >= {"encoder", "decoder", "activations"}


def test_a_file_that_is_missing_or_not_served_is_left_out(tmp_path):
    folder = models_folder("mnist")
    for f in folder.glob("dense*"):
        shutil.copy(f, tmp_path / f.name)
    outside = unopened_model(tmp_path / "dense.keras", "dense")
    assert browser_manifest({"dense": outside})["models"] == {}  # not under assets/: the server answers for it
    served = unopened_model(folder / "dense.keras", "dense")
    served.info["onnx"]["decoder"]["file"] = "no-such.onnx"
    files = browser_manifest({"dense": served})["models"]["dense"]["files"]
    assert "decoder" not in files and "model" in files
