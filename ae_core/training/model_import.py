"""The import worker: checks a user's .keras file with Keras (safe_mode) and exports it to ONNX, in its own process.

`python -m ae_core.training.model_import upload FILE --dest DIR [--original-name NAME]` checks an uploaded
file, exports it and moves it with its ONNX files and sidecar into DIR; `... export FILE` (re)exports a
model already in the user folder. Either prints one JSON line: {"ok": true, "path": ...} or
{"ok": false, "error": "..."}. The app server runs this so that it never deserialises a user's file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from ae_core.models.errors import ModelFileError
from ae_core.models.sidecars import read_sidecar, sidecar_path, write_sidecar
from ae_core.models.user_library import reserve_name


def _uploaded_record(model, name: str, original: str) -> dict:
    from ae_core.models.vae import VAE
    is_vae = isinstance(model, VAE)
    return {"kind": "vae" if is_vae else "autoencoder", "name": name, "source": "uploaded",
            "label": f"Uploaded: {name}", "original_filename": original, "params": int(model.count_params()),
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def _move_into(staged: Path, dest: Path, name: str) -> Path:
    """Move the staged model, its ONNX files and sidecar to `dest` (ONNX first, the .keras last)."""
    dest.mkdir(parents=True, exist_ok=True)
    info = read_sidecar(staged)
    for entry in (info.get("onnx") or {}).values():
        os.replace(staged.parent / entry["file"], dest / entry["file"])
    os.replace(sidecar_path(staged), sidecar_path(dest / f"{name}.keras"))
    final = dest / f"{name}.keras"
    os.replace(staged, final)  # a listing shows a model only once its .keras is there
    return final


def upload(file: Path, dest: Path, original: str) -> Path:
    """Check an uploaded model, export it under a free name and move it into `dest`."""
    from ae_core.models.files import load_model
    from ae_core.models.onnx_export import export_model
    model = load_model(file)  # safe_mode=True; ModelFileError for every unusable file
    name = reserve_name(file.stem, dest)
    try:
        staged = file if name == file.stem else file.rename(file.with_name(f"{name}.keras"))
        write_sidecar(staged, _uploaded_record(model, name, original))
        export_model(model, staged)
        return _move_into(staged, dest, name)
    except BaseException:
        if not (dest / f"{name}.keras").exists():
            sidecar_path(dest / f"{name}.keras").unlink(missing_ok=True)  # give the name back
        raise


def export(file: Path) -> Path:
    """(Re)export a saved user model's ONNX files beside it."""
    from ae_core.models.onnx_export import export_file
    export_file(file)
    return file


def main(argv: list[str] | None = None) -> int:
    """Command line of the import worker; always prints one JSON line."""
    ap = argparse.ArgumentParser(prog="python -m ae_core.training.model_import")
    ap.add_argument("action", choices=("upload", "export"))
    ap.add_argument("file")
    ap.add_argument("--dest", default=None)
    ap.add_argument("--original-name", default="")
    args = ap.parse_args(argv)
    try:
        file = Path(args.file)
        path = upload(file, Path(args.dest), args.original_name) if args.action == "upload" else export(file)
        answer = {"ok": True, "path": str(path)}
    except ModelFileError as e:
        answer = {"ok": False, "error": str(e)}
    except Exception as e:  # noqa: BLE001 - the server shows this message; the details go to stderr
        first = (str(e).strip().splitlines() or [""])[0][:300]
        answer = {"ok": False, "error": f"the model could not be exported for the app ({type(e).__name__}: {first})"}
        import traceback
        traceback.print_exc()
    print(json.dumps(answer), flush=True)
    return 0 if answer["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
