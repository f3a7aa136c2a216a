"""AppTest: the Train page (settings validation, a real short training, uploads, saved models, other sessions).

Trainings are tiny (the shipped 3,000-digit sample; the full MNIST is hidden from the page here).
AppTest does not fire `st.fragment(run_every=...)` by itself, so the tests re-run the page in a loop.
"""
from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.ae_core.models.test_files import unknown_layer_model
from tests.app.helpers import figures

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 900  # generous: the worker runs at low priority and this machine is often busy


@pytest.fixture
def home(user_home, tmp_path, monkeypatch):
    """A throw-away user folder, and no full MNIST: the page trains on the shipped sample."""
    monkeypatch.delenv("AE_LAB_MNIST", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    yield user_home
    from pages.shared.session_models import training_manager
    mgr = training_manager()
    job = mgr.current()
    if job is not None:  # never leave a worker behind
        mgr.kill(job)
        mgr.wait(job, timeout=30)


def train_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/views/train.py").run()
    assert not at.exception
    return at


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def rerun_until(at: AppTest, pred, timeout: float = TIMEOUT, pause: float = 1.0) -> AppTest:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception, at.exception
        if pred(at):
            return at
        time.sleep(pause)
    raise AssertionError(f"page never reached the expected state; errors={texts(at.error)} "
                         f"progress={[p.proto.text for p in at.get('progress')]}")


def set_settings(at: AppTest, **values) -> AppTest:
    keys = {"epochs": "train-epochs", "batch": "train-batch", "size": "train-size", "code": "train-code",
            "latent": "train-latent", "beta": "train-beta", "noise": "train-noise"}
    for name, value in values.items():
        if name == "kind":
            at.selectbox(key="train-kind").set_value(value).run()
        elif name == "lr":
            at.text_input(key="train-lr").set_value(value)
        else:
            at.text_input(key=keys[name]).set_value(str(value))
    return at.run()


def test_page_renders_with_defaults(home):
    at = train_page()
    assert at.title[0].value == "Train your own autoencoder"
    assert at.selectbox(key="train-kind").value == "dense"
    assert at.text_input(key="train-epochs").value == "5"
    assert at.text_input(key="train-lr").value == "0.001"
    assert at.text_input(key="train-size").value == "2500"  # the sample's training part
    assert not at.error
    assert any("small sample" in m for m in texts(at.info))
    assert not at.button(key="train-start").disabled
    assert any("None yet" in c for c in texts(at.caption))
    for kind, key in (("vae", "train-latent"), ("vae", "train-beta"), ("denoising", "train-noise")):
        at.selectbox(key="train-kind").set_value(kind).run()
        assert not at.exception and not at.error
        at.text_input(key=key)  # the kind's own setting is shown


@pytest.mark.parametrize("settings, message", [
    ({"epochs": 0}, "Epochs must be between 1 and 500, got 0."),
    ({"epochs": 501}, "Epochs must be between 1 and 500, got 501."),
    ({"epochs": "1e9"}, "Epochs must be between 1 and 500, got 1000000000."),
    ({"epochs": "2.5"}, "Epochs must be a whole number, got 2.5."),
    ({"epochs": "ten"}, "Epochs must be a number such as 5, got 'ten'."),
    ({"batch": 0}, "Batch size must be between 1 and 4096, got 0."),
    ({"lr": "abc"}, "Learning rate must be a number such as 0.001 or 1e-3, got 'abc'."),
    ({"lr": ""}, "Learning rate must be a number such as 0.001 or 1e-3, got ''."),
    ({"lr": "5"}, "Learning rate must be between 1e-06 and 1, got 5.0."),
    ({"lr": "nan"}, "Learning rate must be a finite number, got nan."),
    ({"size": 5}, "Training digits must be between 16 and 60000, got 5."),
    ({"code": 0}, "Code size must be between 1 and 784, got 0."),
    ({"kind": "vae", "latent": 100}, "Latent size must be between 1 and 64, got 100."),
    ({"kind": "vae", "beta": -1.0}, "Beta must be between 0 and 100, got -1.0."),
    ({"kind": "denoising", "noise": 3.0}, "Noise factor must be between 0 and 2, got 3.0."),
])
def test_nonsense_settings_show_the_specific_error(home, settings, message):
    at = train_page()
    set_settings(at, **settings)
    assert not at.exception
    assert texts(at.error) == [message]
    assert at.button(key="train-start").disabled
    set_settings(at, kind="dense")
    set_settings(at, epochs=3, batch=64, lr="0.01", size=500, code=16)
    assert not at.error and not at.button(key="train-start").disabled


def test_typed_epochs_are_never_rounded_or_clamped(home):
    at = train_page()
    for typed in ("1e9", "2.5"):
        set_settings(at, epochs=typed)
        assert at.text_input(key="train-epochs").value == typed  # what the user typed stays there
        assert len(at.error) == 1 and "Epochs must be" in at.error[0].value
        assert at.button(key="train-start").disabled
    set_settings(at, epochs="1e1")  # a whole number written another way is taken as typed
    assert not at.error and not at.button(key="train-start").disabled


def test_every_bad_field_is_reported_at_once(home):
    at = train_page()
    set_settings(at, kind="vae")
    set_settings(at, beta=-1, latent=1000, lr="fast")
    assert texts(at.error) == ["Learning rate must be a number such as 0.001 or 1e-3, got 'fast'.",
                               "Latent size must be between 1 and 64, got 1000.",
                               "Beta must be between 0 and 100, got -1.0."]
    assert at.button(key="train-start").disabled


def test_short_training_from_the_page(home):
    at = train_page()
    set_settings(at, epochs=1, batch=50, size=200)
    at.button(key="train-start").click().run()
    assert not at.exception and not at.error
    rerun_until(at, lambda a: a.success)
    ok = at.success[0].value
    assert "is ready: 1 epoch on 200 digits" in ok and "Validation MSE" in ok
    assert any(b.proto.label == "Download model (.keras)" for b in at.get("download_button"))
    assert at.get("plotly_chart")  # the loss chart
    assert at.image  # digits and their reconstructions (strips)
    mine = at.session_state["user_models"]
    assert len(mine) == 1
    (name, lm), = mine.items()
    assert lm.path.parent == home / "models" and lm.path.is_file()
    assert any(b.label == "Stop using" for b in at.button)  # listed among the saved models, in use
    assert not at.button(key="train-start").disabled  # ready for the next one

    # delete it from the list (with confirmation): gone from the folder and the session
    at.button(key=f"train-del-{name}").click().run()
    assert any("for good" in w for w in texts(at.warning))
    at.button(key=f"train-del-yes-{name}").click().run()
    assert not at.exception
    assert not lm.path.exists() and name not in at.session_state["user_models"]
    assert any("deleted" in c for c in texts(at.caption))  # the result view copes with the missing file


def test_a_stop_during_epoch_two_reads_the_same_everywhere(home):
    """A job stopped during epoch 2 (as the worker records it): one epoch in the message, chart and list."""
    from ae_core.files import write_json
    from ae_core.models.builders import build_model
    from ae_core.models.files import save_model
    from ae_core.models.onnx_export import export_model
    from ae_core.training.jobs.status import TrainingStatus
    from ae_core.training.jobs.store import jobs_dir

    model = build_model("dense", code_size=4)
    path = save_model(model, home / "models" / "dense-stopped.keras",
                      {"kind": "dense", "source": "trained", "label": "Stopped one", "epochs_run": 1,
                       "history": {"loss": [0.3]}})
    export_model(model, path)
    job = jobs_dir() / "20250101-000000-abcdef"
    job.mkdir(parents=True)
    write_json(job / "status.json", TrainingStatus(
        job_id=job.name, state="stopped", kind="dense", label="Stopped one", epoch=1, epochs=300, batch=3,
        batches=10, stopped_in_epoch=2, snapshots=[1], history={"loss": [0.3], "val_loss": [0.31]},
        model_path=str(path), model_name=path.stem, started=1.0, finished=2.0).to_dict())
    at = train_page()
    at.session_state["train-job"] = job.name
    at.run()
    assert not at.exception and not at.error
    (msg,) = texts(at.warning)
    assert "Stopped during epoch 2 of 300; the model after 1 epoch was saved as dense-stopped." in msg
    assert not at.get("select_slider")  # a single epoch to show: no slider offering epoch 2
    assert any("dense-stopped - trained, 1 epoch, " in c for c in texts(at.caption))


def chart_titles(at: AppTest) -> list[str]:
    import json
    titles = []
    for chart in at.get("plotly_chart"):
        title = json.loads(chart.proto.spec).get("layout", {}).get("title", {})
        titles.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return titles


def test_talk_preset_fills_in_a_fast_2d_vae(home):
    at = train_page()
    at.button(key="train-preset-talk").click().run()
    assert not at.exception and not at.error
    assert at.selectbox(key="train-kind").value == "vae" and at.radio(key="train-vae-layers").value == "dense"
    assert [at.text_input(key=k).value for k in ("train-latent", "train-epochs", "train-size", "train-batch")] == \
        ["2", "10", "12000", "64"]
    assert any("Preset for a talk" in c for c in texts(at.caption))
    assert not at.button(key="train-start").disabled
    at.selectbox(key="train-kind").set_value("dense").run()  # any other choice drops the preset's note
    assert not any("Preset for a talk" in c for c in texts(at.caption))


def test_a_2d_vae_shows_its_latent_map_each_epoch_and_replays_it(home):
    at = train_page()
    at.button(key="train-preset-talk").click().run()
    set_settings(at, epochs=2, size=300, batch=50)
    at.button(key="train-start").click().run()
    rerun_until(at, lambda a: any(t.startswith("Latent map, epoch 1") for t in chart_titles(a)) or a.success)
    rerun_until(at, lambda a: a.success)
    titles = chart_titles(at)
    assert "Latent map, epoch 2" in titles and "Manifold, epoch 2" in titles, titles
    job = at.session_state["train-job"]
    slider = at.select_slider(key=f"train-epoch-view-{job}")
    assert slider.options == ["1", "2"] and slider.value == 2
    slider.set_value(1).run()
    assert "Latent map, epoch 1" in chart_titles(at)
    at.button(key=f"train-replay-{job}").click().run()  # AppTest does not tick run_every: each run is a tick
    assert "Latent map, epoch 1" in chart_titles(at)
    at.run()
    assert "Latent map, epoch 2" in chart_titles(at) and "train-replay" not in at.session_state
    assert not at.exception


def _interrupted_job(home, name: str = "20250101-000000-abcdef"):
    from ae_core.files import write_json
    from ae_core.training.jobs.status import TrainingStatus
    from ae_core.training.jobs.store import Job, jobs_dir

    job = Job(name, jobs_dir() / name)
    job.backup_dir.mkdir(parents=True)
    (job.backup_dir / "latest.weights.h5").write_bytes(b"weights")
    write_json(job.backup_dir / "training_metadata.json", {"epoch": 3, "batch": 0})
    write_json(job.status_path, TrainingStatus(
        job_id=name, state="failed", error="worker_died", exit_code=-9, kind="vae", label="Your VAE (2-d code)",
        epoch=3, epochs=10, snapshots=[1, 2, 3], history={"loss": [3.0, 2.0, 1.0]}, started=1.0,
        finished=2.0).to_dict())
    return job


def test_an_interrupted_training_is_offered_to_resume_or_discard(home, monkeypatch):
    from ae_core.training.jobs.manager import TrainingManager
    job = _interrupted_job(home)
    resumed = []
    monkeypatch.setattr(TrainingManager, "resume", lambda self, j, owner="": resumed.append(j) or j)
    at = train_page()
    msg = "Training of **Your VAE (2-d code)** stopped at epoch 3 of 10 (its process ended before finishing; " \
          "killed by signal 9). Resume it from there, or discard it."
    assert texts(at.warning) == [msg]
    at.button(key=f"train-resume-{job.id}").click().run()
    assert resumed == [job] and at.session_state["train-job"] == job.id
    assert not at.exception and not at.error  # its own view does not repeat the failure as an error
    at.button(key=f"train-discard-{job.id}").click().run()
    assert not at.exception and not at.warning and not job.backup_dir.exists()
    assert "train-job" not in at.session_state


# ------------------------------------------------------------------------------------------- uploads
def _keras_bytes(model, tmp_path: Path, name: str) -> bytes:
    path = tmp_path / f"{name}.keras"
    model.save(path)
    return path.read_bytes()


def _bad_uploads(tmp_path: Path) -> list[tuple[str, bytes, str]]:
    import keras
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr("hello.txt", "not a model")
    lam = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Lambda(lambda x: 1.0 - x)])
    wrong = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(3, 3, padding="same")])
    return [
        ("empty.keras", b"", "empty.keras is empty (0 bytes)"),
        ("noise.keras", np.random.default_rng(0).bytes(5000), "noise.keras is not a Keras 3 .keras file"),
        ("noconfig.keras", zbuf.getvalue(), "noconfig.keras has no config.json"),
        ("lambda.keras", _keras_bytes(lam, tmp_path, "lambda"), "lambda.keras contains a Lambda layer"),
        ("wrong_shape.keras", _keras_bytes(wrong, tmp_path, "wrong_shape"), "expects inputs of shape (32, 32, 3)"),
        ("custom.keras", unknown_layer_model(tmp_path, "NoSuchLayer").read_bytes(),
         "uses a layer type this app doesn't know (NoSuchLayer): custom layers need their Python code"),
    ]


def test_bad_uploads_show_a_clear_message_and_the_page_keeps_working(home, tmp_path):
    at = train_page()
    for filename, data, message in _bad_uploads(tmp_path):
        at.file_uploader(key="train-upload").set_value((filename, data, "application/octet-stream")).run()
        assert not at.exception, filename
        errors = texts(at.error)
        assert len(errors) == 1 and errors[0].startswith("That model can't be used: ") and message in errors[0], \
            (filename, errors)
        # a following normal action still works (and the refused file was not kept)
        set_settings(at, epochs=7)
        assert not at.exception and texts(at.error) == errors
        assert not at.button(key="train-start").disabled
        assert not list((home / "models").glob("*.keras"))
        set_settings(at, epochs=5)

    # and a good model is accepted, kept in the user folder and used in this session
    from ae_core.models.builders import build_model
    good = _keras_bytes(build_model("dense", code_size=8), tmp_path, "good")
    at.file_uploader(key="train-upload").set_value(("My model.keras", good, "application/octet-stream")).run()
    assert not at.exception and not at.error
    assert "My-model" in at.success[0].value
    assert (home / "models" / "My-model.keras").is_file()
    assert "My-model" in at.session_state["user_models"]
    assert not list((home / "uploads").iterdir())  # no staging leftovers


# ------------------------------------------------------------------------------------ other sessions
def test_other_sessions_keep_working_while_a_training_runs(home):
    from ae_core.paths import SHIPPED_MODELS_DIR
    from ae_core.serving.runners import open_model
    from pages.shared.session_models import training_manager

    trainer = train_page()
    set_settings(trainer, epochs=300, batch=32, size=1000)
    trainer.button(key="train-start").click().run()
    rerun_until(trainer, lambda a: any(p.proto.text.startswith("Epoch") for p in a.get("progress")))
    mgr = training_manager()
    job = mgr.current()
    assert job is not None

    # a second visitor draws: shipped and own-model reconstructions come back while the worker trains
    visitor = AppTest.from_file(APP, default_timeout=120).run()
    visitor.switch_page("pages/views/draw.py").run()
    visitor.session_state["user_models"] = {"mine": open_model(SHIPPED_MODELS_DIR / "dense.keras", "mine")}
    visitor.radio(key="draw-source").set_value("Test digit").run()
    assert not visitor.exception
    assert len(figures(visitor)) >= 4  # input, reconstructions and error maps
    assert any("Your models" in m for m in texts(visitor.markdown))
    assert mgr.status(job).state == "running"

    # ... and on the Train page it sees the running training and waits for it
    visitor.switch_page("pages/views/train.py").run()
    assert not visitor.exception
    assert any("started by another session" in m for m in texts(visitor.info))
    assert visitor.button(key="train-start").disabled

    # the trainer stops it from the page
    trainer.button(key="train-stop").click().run()
    assert not trainer.exception
    rerun_until(trainer, lambda a: any("Stopped" in m for m in texts(a.warning) + texts(a.info)))
    assert mgr.current() is None
    rerun_until(visitor, lambda a: not a.button(key="train-start").disabled)


def test_a_model_saved_through_another_app_process_is_listed_on_the_next_rerun(home):
    """The saved-model list is read from the shared folder on every run: nothing caches it per process."""
    import shutil

    from ae_core.paths import SHIPPED_MODELS_DIR
    at = train_page()
    assert not any("from-replica-a" in c for c in texts(at.caption))
    (home / "models").mkdir(parents=True, exist_ok=True)
    for suffix in (".keras", ".json"):  # as another replica's training or upload leaves it
        shutil.copy(SHIPPED_MODELS_DIR / f"dense{suffix}", home / "models" / f"from-replica-a{suffix}")
    at.run()
    assert not at.exception
    assert any(c.startswith("from-replica-a - ") for c in texts(at.caption))
    assert any(b.key == "train-use-from-replica-a" for b in at.button)


def test_a_training_started_through_another_app_process_is_shown_with_its_progress(home, tmp_path):
    """Replica B's page finds replica A's training by itself: who started it, its live progress, no Start."""
    from tests.ae_core.training.jobs.test_cross_process import Replica, stand_in_python
    replica_a = Replica(stand_in_python(tmp_path))
    try:
        job_id = replica_a.ask("start")["started"]
        at = train_page()
        assert at.session_state["train-job"] == job_id
        assert any("Watching a training started by another session" in m for m in texts(at.info))
        assert at.button(key="train-start").disabled
        rerun_until(at, lambda a: any(p.proto.text.startswith("Epoch ") and " of 500 - batch " in p.proto.text
                                      for p in a.get("progress")), timeout=60, pause=0.2)
    finally:
        from pages.shared.session_models import training_manager
        training_manager().stop(job_id)
        assert training_manager().wait(job_id, timeout=60).state == "stopped"
        replica_a.close()
