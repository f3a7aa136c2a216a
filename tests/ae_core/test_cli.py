"""The command line: train and evaluate on a tiny data file; clear errors for missing data and nonsense."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ae_core.cli import main


@pytest.fixture
def tiny_npz(tmp_path, small_digits):
    x, y = small_digits
    xu = (x[..., 0] * 255).astype(np.uint8)
    path = tmp_path / "tiny.npz"
    np.savez(path, x_train=xu[:600], y_train=y[:600], x_test=xu[600:800], y_test=y[600:800])
    return path


def test_train_then_evaluate(tmp_path, tiny_npz, capsys):
    out = tmp_path / "m" / "dense.keras"
    assert main(["train", "--model", "dense", "--epochs", "1", "--data", str(tiny_npz), "--out", str(out)]) == 0
    info = json.loads(out.with_suffix(".json").read_text())
    assert info["kind"] == "dense" and info["epochs_run"] == 1 and "mse" in info["test_metrics"]
    assert info["command"].startswith("python -m ae_core train --model dense")
    capsys.readouterr()
    main(["evaluate", str(out), "--data", str(tiny_npz)])
    printed = capsys.readouterr().out
    assert "dense" in printed and f"{info['test_metrics']['mse']:.4f}" in printed


def test_missing_dataset_names_the_options(tmp_path, monkeypatch, capsys):
    import ae_core.data.datasets as data
    monkeypatch.delenv("AE_LAB_MNIST", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("HOME", str(tmp_path))

    def no_download(*a, **k):
        raise OSError("no network")

    monkeypatch.setattr(data, "_keras_download", no_download)
    with pytest.raises(SystemExit) as e:
        main(["train", "--model", "dense", "--epochs", "1", "--out", str(tmp_path / "x.keras")])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "AE_LAB_MNIST" in err and "--data" in err


@pytest.mark.parametrize("args,needle", [
    (["--epochs", "0"], "epochs"), (["--lr", "nan"], "learning_rate"), (["--batch-size", "-5"], "batch_size"),
])
def test_nonsense_hyperparameters(tmp_path, args, needle, capsys):
    assert main(["train", "--model", "dense", *args, "--out", str(tmp_path / "x.keras")]) == 2
    assert needle in capsys.readouterr().err


def test_shipped_model_cannot_be_replaced_by_accident(tmp_path, tiny_npz, capsys):
    from ae_core.paths import SHIPPED_MODELS_DIR
    target = SHIPPED_MODELS_DIR / "dense.keras"
    if not target.exists():
        pytest.skip("no shipped dense model")
    before = target.read_bytes()
    rc = main(["train", "--model", "dense", "--epochs", "1", "--data", str(tiny_npz), "--out", str(target)])
    assert rc == 2 and "never overwritten" in capsys.readouterr().err
    assert target.read_bytes() == before


def _stroke_png(path, digit, dark_on_light=False, size=(300, 200), mode="L"):
    from PIL import Image
    from ae_core.data.drawn import draw_strokes, STROKES, PEN
    img = draw_strokes([np.asarray(s) for s in STROKES[digit][0]], PEN)
    if dark_on_light:
        img = Image.eval(img, lambda v: 255 - v)
    img.resize(size).convert(mode).save(path)
    return path


def test_classify_prints_one_line_per_image(tmp_path, capsys):
    files = [_stroke_png(tmp_path / "zero.png", 0), _stroke_png(tmp_path / "one.jpg", 1, dark_on_light=True, mode="RGB"),
             _stroke_png(tmp_path / "seven.bmp", 7, size=(64, 90), mode="RGB")]
    assert main(["classify", *map(str, files)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("#")]
    assert len(lines) == 3
    for line, (name, digit) in zip(lines, [("zero.png", 0), ("one.jpg", 1), ("seven.bmp", 7)]):
        fields = line.split()
        assert fields[0].endswith(name) and fields[1] == str(digit) and len(fields) == 12
        errors = [float(v) for v in fields[2:]]
        assert min(range(10), key=errors.__getitem__) == digit


def test_classify_says_what_is_wrong_with_a_file(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    from PIL import Image
    Image.new("L", (40, 40), 255).save(tmp_path / "blank.png")
    good = _stroke_png(tmp_path / "one.png", 1)
    assert main(["classify", str(tmp_path / "notes.txt"), str(tmp_path / "blank.png"), str(tmp_path / "gone.png"),
                 str(tmp_path), str(good)]) == 1
    out, err = capsys.readouterr()
    assert "notes.txt: the file is not an image" in err and "blank.png: the image is blank" in err
    assert "gone.png: no such file" in err and "is a folder" in err and "Traceback" not in err
    assert [line.split()[1] for line in out.splitlines() if not line.startswith("#")] == ["1"]


def test_classify_fashion_without_its_models_says_so(tmp_path, monkeypatch, capsys):
    import ae_core.serving.file_classifier as fc
    monkeypatch.setitem(fc.PERCLASS_DIRS, "fashion", tmp_path / "fashion" / "perclass")
    good = _stroke_png(tmp_path / "one.png", 1)
    assert main(["classify", "--dataset", "fashion", str(good)]) == 2
    assert "no per-class autoencoders for fashion" in capsys.readouterr().err
