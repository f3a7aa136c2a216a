"""The Train page's settings column: model type, numbers typed as text (every problem shown at once), Start."""
from __future__ import annotations

import math
import uuid

import streamlit as st

from ae_core.training.config import TALK_PRESET, ConfigError, TrainConfig, config_problems, validate_config
from ae_core.training.data_source import DataInfo
from ae_core.training.jobs.manager import TrainingBusy
from pages.shared.access import access
from pages.shared.session_models import training_manager

KINDS = {
    "dense": "Dense",
    "conv": "Convolutional",
    "denoising": "Denoising",
    "vae": "Variational (VAE)",
}
KIND_HELP = {
    "dense": "Fully connected layers squeeze each digit into a short code and rebuild it. Fast to train.",
    "conv": "Convolutions keep the 2-d picture structure; sharper results, slower to train.",
    "denoising": "A convolutional autoencoder that sees noisy digits and must rebuild the clean ones.",
    "vae": "Learns a smooth code space you can sample new digits from; trades some sharpness for that.",
}
FIELD_LABELS = {
    "epochs": "Epochs", "batch_size": "Batch size", "learning_rate": "Learning rate", "code_size": "Code size",
    "latent_dim": "Latent size", "noise_factor": "Noise factor", "beta": "Beta", "train_size": "Training digits",
    "seed": "Random seed",
}
INTEGER_FIELDS = ("epochs", "batch_size", "code_size", "latent_dim", "train_size")
EXAMPLES = {"learning_rate": "0.001 or 1e-3"}
VAE_LAYERS = {"conv": "Convolutional (sharper, slower)", "dense": "Dense (fast: a map within a minute)"}

#: The widget keys the "Quick 2-d VAE for a talk" button fills, and the engine's preset values for them.
TALK_KEYS = {"train-kind": "kind", "train-vae-layers": "vae_layers", "train-latent": "latent_dim",
             "train-beta": "beta", "train-epochs": "epochs", "train-size": "train_size", "train-batch": "batch_size",
             "train-lr": "learning_rate"}
TALK_PRESET_NOTE = (f"Preset for a talk: a VAE with dense layers and a 2-d code, {TALK_PRESET.epochs} epochs on "
                    f"{TALK_PRESET.train_size:,} digits, batch {TALK_PRESET.batch_size}, learning rate "
                    f"{TALK_PRESET.learning_rate:g}. Watch its latent map sort the digits, epoch by epoch.")


def friendly(message: str) -> str:
    """An engine message in the page's words: 'epochs must be ...' -> 'Epochs must be ...'."""
    for field, label in FIELD_LABELS.items():
        if message.startswith(field + " "):
            message = label + message[len(field):]
            break
    else:
        message = message[:1].upper() + message[1:]
    return message.rstrip(".") + "."


def parse_number(text: str, field: str) -> int | float:
    """A number typed into a text box, as typed (no rounding); ConfigError naming the field when it is not one.

    Whole numbers come back as int so the engine's messages read "got 1000000000", not "got 1e9" rounded away.
    """
    text = str(text).strip()
    try:
        value = float(text)
    except ValueError:
        example = EXAMPLES.get(field, "5" if field in INTEGER_FIELDS else "0.5")
        raise ConfigError(f"{field} must be a number such as {example}, got {text!r}") from None
    if field in INTEGER_FIELDS and math.isfinite(value) and value == int(value):
        return int(value)
    return value


def _text(column, label: str, default: str, key: str, help: str) -> str:
    # Text boxes, not number_input: a number_input with step=1 rounds "2.5" and clamps "1e9" in the browser
    # before the engine sees it, so the user's value would be silently replaced instead of refused.
    # The default goes through session state (not value=) so a preset can fill the box before it is drawn.
    st.session_state.setdefault(key, default)
    return column.text_input(label, key=key, help=help)


def apply_talk_preset() -> None:
    """Fill the settings with TALK_PRESET (a button callback: it runs before the widgets are drawn)."""
    st.session_state.update({key: str(getattr(TALK_PRESET, field)) for key, field in TALK_KEYS.items()})
    st.session_state["train-preset-note"] = True


def _typed_fields(kind: str, data: DataInfo) -> dict[str, str]:
    """The settings widgets for `kind`: {config field: text typed}."""
    c1, c2 = st.columns(2)
    typed = {
        "epochs": _text(c1, "Epochs", "5", "train-epochs", "Passes over the training digits (1-500)."),
        "batch_size": _text(c2, "Batch size", "128", "train-batch", "Digits per weight update (1-4096)."),
        "learning_rate": _text(c1, "Learning rate", "0.001", "train-lr",
                               "Adam step size, e.g. 0.001 or 1e-3 (between 1e-6 and 1)."),
        "train_size": _text(c2, "Training digits", str(min(10000, data.train_available)), "train-size",
                            f"How many training digits to learn from (16-60000; {data.train_available:,} "
                            "available). Fewer is faster."),
    }
    if kind == "dense":
        typed["code_size"] = _text(c1, "Code size", "16", "train-code", "Numbers in the compressed code (1-784).")
    if kind == "vae":
        typed["latent_dim"] = _text(c1, "Latent size", "2", "train-latent",
                                    "Dimensions of the latent code (1-64); 2 can be drawn as a map.")
        typed["beta"] = _text(c2, "Beta (KL weight)", "1.0", "train-beta",
                              "Weight of the KL term (0-100); 1 is the standard VAE.")
    if kind == "denoising":
        typed["noise_factor"] = _text(c1, "Noise factor", "0.5", "train-noise",
                                      "Standard deviation of the added Gaussian noise (0-2).")
    return typed


def build_config(kind: str, typed: dict[str, str], **choices) -> tuple[TrainConfig | None, list[str]]:
    """The validated config for the typed values (and chosen ones, such as vae_layers), or None and one
    page-worded message per bad field."""
    values, problems = dict(choices), []
    for field, text in typed.items():
        try:
            values[field] = parse_number(text, field)
        except ConfigError as e:
            problems.append(str(e))  # that field keeps its default below, so the others are still checked
    cfg = TrainConfig(kind=kind, **values)
    problems += config_problems(cfg)
    if problems:
        return None, [friendly(p) for p in problems]
    return validate_config(cfg), []


def settings_form(data: DataInfo) -> TrainConfig | None:
    """The settings widgets and their problems (all shown); the valid config, or None."""
    st.button("Quick 2-d VAE for a talk", key="train-preset-talk", on_click=apply_talk_preset, icon=":material/bolt:",
              help="Fills in a fast dense VAE with a 2-d code whose map and manifold organise within a minute.")
    if st.session_state.get("train-preset-note"):
        st.caption(TALK_PRESET_NOTE)
    st.session_state.setdefault("train-kind", "dense")
    kind = st.selectbox("Model type", list(KINDS), format_func=KINDS.get, key="train-kind", on_change=_forget_note)
    st.caption(KIND_HELP[kind])
    choices = {}
    if kind == "vae":
        st.session_state.setdefault("train-vae-layers", "conv")
        choices["vae_layers"] = st.radio("Layers", list(VAE_LAYERS), format_func=VAE_LAYERS.get, horizontal=True,
                                         key="train-vae-layers")
    cfg, problems = build_config(kind, _typed_fields(kind, data), **choices)
    for problem in problems:
        st.error(problem)
    if cfg is not None and cfg.train_size > data.train_available:
        st.caption(f"Only {data.train_available:,} digits are available; all of them will be used.")
    if data.note:
        st.info(data.note)
    return cfg


def _forget_note() -> None:
    st.session_state.pop("train-preset-note", None)


def owner_id() -> str:
    """This browser session's id as the owner of the trainings it starts."""
    return st.session_state.setdefault("train-owner", uuid.uuid4().hex[:12])


def current_job_id() -> str | None:
    """The job this session shows: its own, or the running one (a reloaded page, another session's)."""
    mgr = training_manager()
    running, job_id = mgr.current(), st.session_state.get("train-job")
    if running is not None and running.id != job_id:
        if job_id is None or not mgr.status(job_id).active:
            st.session_state["train-job"] = job_id = running.id
    return job_id


def start_button(cfg: TrainConfig | None, data: DataInfo) -> None:
    """Start (disabled while settings are wrong or a training runs); starts the worker when pressed.

    A session that may not train sees why instead of the button; a training over the size limit, why not.
    """
    acc = access()
    if not (gate := acc.train()):
        st.info(gate.reason + ("" if acc.presenter else " You can watch trainings here and use the saved models."))
        return
    if cfg is not None and not (allowed := acc.training(cfg.epochs, min(cfg.train_size or data.train_available,
                                                                         data.train_available))):
        st.error(allowed.reason)
        cfg = None
    mgr = training_manager()
    busy = mgr.current() is not None
    start = st.button("Start training", type="primary", key="train-start", disabled=cfg is None or busy,
                      width="stretch")
    if busy:
        st.caption("One training at a time: Start is available again when the current one ends.")
    if not start or cfg is None:
        return
    try:
        job = mgr.start(cfg, "auto", owner=owner_id())
        st.session_state["train-job"] = job.id
        st.rerun()  # redraw everything in the running state (Start disabled, live monitor)
    except TrainingBusy as e:
        st.warning(str(e))
        if e.job is not None:
            st.session_state["train-job"] = e.job.id
    except ConfigError as e:
        for problem in e.problems:
            st.error(friendly(problem))
    except Exception as e:  # noqa: BLE001 - never a traceback on stage
        st.error(f"The training could not be started: {type(e).__name__}: {str(e)[:200]}")
