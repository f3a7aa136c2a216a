"""What the browser needs to run the shipped models itself: where each ONNX file is served, and its sha256."""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from ae_core.paths import ASSETS_DIR
from ae_core.serving.runners import ROLES, ServedModel

#: Where Streamlit serves ./static (a link to ./assets): `server.enableStaticServing` in .streamlit/config.toml.
STATIC_URL = "/app/static/"


@lru_cache(maxsize=4096)  # every live view's rerun asks again; resolving a path costs a system call per component
def _served_path(file: Path) -> str | None:
    """The file's path under the static root, or None if it is not served (a user's model, outside assets/)."""
    try:
        return file.resolve().relative_to(_assets_root()).as_posix()
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _assets_root() -> Path:
    return ASSETS_DIR.resolve()


def _code_shape(m: ServedModel) -> list[int] | None:
    """One code's shape (no batch axis) from the opened decoder, or from the sidecar when nothing is opened yet."""
    if m.can("decoder"):
        return list(m.code_shape)
    inputs = ((m.info.get("onnx") or {}).get("decoder") or {}).get("inputs") or []
    shape = inputs[0].get("shape") if inputs and isinstance(inputs[0], Mapping) else None
    return [int(d) for d in shape[1:]] if isinstance(shape, list) and len(shape) > 1 else None


def browser_manifest(models: Mapping[str, ServedModel]) -> dict:
    """{"base": url, "models": {name: {files: {role: {path, sha256, inputs, outputs}}, is_vae, code_shape}}}.

    Only models whose files the app serves statically are listed; the others answer from the server. The
    models need not be opened (`unopened_model`): the browser reads the files itself.
    """
    out = {}
    for name, m in models.items():
        files = {}
        for role, entry in (m.info.get("onnx") or {}).items():
            file = m.path.parent / Path(str(entry.get("file", ""))).name
            path = _served_path(file) if role in ROLES and file.is_file() else None
            if path is not None:
                files[role] = {"path": path, "sha256": entry["sha256"], "inputs": entry.get("inputs", []),
                               "outputs": entry.get("outputs", []), **({"layers": entry["layers"]} if "layers" in entry else {})}
        if files:
            code = _code_shape(m) if "decoder" in files else None
            out[name] = {"files": files, "is_vae": m.is_vae, "code_shape": code, "label": m.label}
    return {"base": STATIC_URL, "models": out}
