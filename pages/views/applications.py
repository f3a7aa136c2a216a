"""Applications: anomaly detection by reconstruction error, and classification by per-class autoencoders."""
import numpy as np
import streamlit as st

from ae_core.analysis.anomaly import (
    DetectionSummary,
    default_threshold,
    image_error,
    is_anomaly,
    summarize,
    threshold_options,
)
from ae_core.analysis.classification import predicted_class, summary_metrics, top_confusions
from ae_core.figures.applications import class_error_bars, confusion_figure, error_histogram, roc_figure
from ae_core.serving.classifier import PerClassClassifier
from pages.shared.applications_view import Metric, metric_row, percent
from pages.shared.cached_results import anomaly_groups, anomaly_scores
from pages.shared.resources import core_models, dataset_info, extra_models
from pages.shared.widgets import chart, current_digit, image_row, picker_beside_results, presenter_mode, show_image



def _key(base: str) -> str:
    """A widget key per dataset (their options differ), MNIST's unchanged."""
    dataset = dataset_info().key
    return base if dataset == "mnist" else f"{base}-{dataset}"


# ---------------------------------------------------------------- anomaly detection
def anomaly_controls(names: list[str], labels: dict[str, str]) -> tuple[str, list[str]]:
    """The model and anomaly-set pickers side by side; returns (model, anomaly groups)."""
    ctl_model, ctl_groups = st.columns([1, 2], gap="large")
    with ctl_model:
        model = st.selectbox("Autoencoder", names, index=names.index("dense") if "dense" in names else 0,
                             format_func=labels.get, key=_key("apps-model"), persist_state="session")
    with ctl_groups:
        options = list(anomaly_groups(dataset_info().key)[1])
        groups = st.multiselect("Anomalies to detect", options, default=options,
                                key=_key("apps-groups"), persist_state="session")
    return model, groups


def threshold_slider(model: str, normal: np.ndarray, options: list[float]) -> float:
    """The threshold on the reconstruction error, one remembered position per model."""
    return st.select_slider(
        "Threshold on the reconstruction error (MSE): above it, an image is flagged as an anomaly",
        options=options, value=default_threshold(normal, options),
        format_func=lambda v: f"{v:.3g}", key=_key(f"apps-threshold-{model}"), persist_state="session")


def detection_metrics(threshold: float, normal: np.ndarray,
                      anomalies: dict[str, np.ndarray]) -> DetectionSummary | None:
    """Precision, recall, false alarms and AUC at the threshold (None, with a hint, when no group is chosen)."""
    if not anomalies:
        st.info("Pick at least one kind of anomaly to measure how well the threshold separates it.")
        return None
    summary = summarize(threshold, normal, anomalies)
    metric_row([
        Metric("Precision", percent(summary.precision),
               "Of the images flagged as anomalies, the share that really are anomalies."),
        Metric("Recall", percent(summary.recall), "Of the real anomalies, the share that get flagged."),
        Metric("False alarms", percent(summary.false_alarm_rate),
               f"Share of normal {dataset_info().short} test {dataset_info().items} wrongly flagged."),
        Metric("ROC AUC", f"{summary.auc:.3f}", f"Chance that a random anomaly scores higher than a random {dataset_info().item} "
               "(1 = perfect, 0.5 = guessing). Does not depend on the threshold."),
    ])
    st.caption("Caught at this threshold: " + ", ".join(f"{percent(v)} of {k}" for k, v in summary.caught.items())
               + f". Anomalies are the positive class; {summary.n_normal:,} {dataset_info().items} vs "
                 f"{summary.n_anomalies:,} anomalies.")
    return summary


def user_verdict(user: np.ndarray | None, user_score: float | None, threshold: float) -> None:
    """The user's digit and whether the threshold flags it (a hint to draw one when there is none)."""
    if user is None or user_score is None:
        st.caption("Draw a digit (Classification tab, or any other page) to see where your own "
                   "handwriting lands on the histogram.")
        return
    pic, verdict = st.columns([1, 2], vertical_alignment="center")
    with pic:
        show_image(user, "your digit", 112)
    if is_anomaly(user_score, threshold):
        verdict.markdown(f"Your digit's error is **{user_score:.4f}**, above the threshold {threshold:.3g}: "
                         "**flagged as an anomaly**. Messy or unusual handwriting looks strange to the model too.")
    else:
        verdict.markdown(f"Your digit's error is **{user_score:.4f}**, below the threshold {threshold:.3g}: "
                         "**looks like a normal digit** (the green line).")


def roc_and_verdict(summary: DetectionSummary | None, user: np.ndarray | None, user_score: float | None,
                    threshold: float) -> None:
    """The ROC curve with the current threshold on it, beside how to read the charts and the user's verdict."""
    roc_col, user_col = st.columns([1, 1], gap="large")
    if summary is not None:
        with roc_col:
            chart(roc_figure(summary.fpr, summary.tpr, summary.auc, (summary.false_alarm_rate, summary.recall)),
                  key="apps-roc")
    with user_col:
        st.markdown("**Reading the charts.** Moving the threshold right means fewer false alarms but "
                    "more missed anomalies: the red dot slides down the ROC curve. The curve itself, "
                    "and its area (AUC), only depend on how well the two histograms are separated.")
        user_verdict(user, user_score, threshold)


def anomaly_tab() -> None:
    """Anomaly detection: scores of digits and non-digits, a threshold, its metrics, the histogram and ROC."""
    reg = core_models()
    names = list(reg.models)
    if not names:
        st.warning("No autoencoder is available for anomaly detection: "
                   + ("; ".join(f"{k}: {v}" for k, v in reg.errors.items()) or "the models did not load."))
        return
    if "dense" not in names:
        st.warning(f"The dense autoencoder (`dense.keras`) is not available "
                   f"({reg.errors.get('dense', 'not loaded')}); using another model instead.")
    labels = {name: reg.models[name].label for name in names}
    spec = dataset_info()
    trained_on = "handwritten digits" if spec.key == "mnist" else "Fashion-MNIST clothing"
    st.markdown(f"An autoencoder trained only on {trained_on} rebuilds {spec.items} well and everything "
                "else badly, so its **reconstruction error is an anomaly score**: above a threshold, "
                "we call the input an anomaly.")
    model, groups = anomaly_controls(names, labels)
    normal = anomaly_groups(spec.key)[0]
    with st.spinner(f"Scoring 5,500 images with the {labels[model]} (first time only)..."):
        scores = anomaly_scores(model, spec.key)
    threshold = threshold_slider(model, scores[normal], threshold_options(*scores.values()))
    user = current_digit()
    user_score = image_error(reg.runner(model), user) if user is not None else None
    anomalies = {g: scores[g] for g in groups}
    summary = detection_metrics(threshold, scores[normal], anomalies)
    chart(error_histogram(scores[normal], anomalies, threshold, user_score, normal_label=normal), key="apps-hist")
    roc_and_verdict(summary, user, user_score, threshold)


# ---------------------------------------------------------------- classification
def classifier_result(clf: PerClassClassifier, digit: np.ndarray | None, source: str) -> None:
    """The predicted class, the ten errors as bars, and each class's reconstruction of the digit."""
    if digit is None:
        st.caption("The ten reconstruction errors and the predicted class appear here.")
        return
    errors = clf.errors(digit)[0]
    pred = predicted_class(errors)
    names = dataset_info().classes
    st.subheader(f"Predicted class: {names[pred]}")
    title = ("Reconstruction error under each class's autoencoder (scaled so the ten compare)" if clf.relative
             else "Reconstruction error under each class's autoencoder")
    chart(class_error_bars(errors, class_names=names, predicted=pred, title=title, value_label=clf.error_label),
          key="apps-bars")
    st.caption(f"How each class's autoencoder rebuilds {source}: the {names[pred]}-specialist does it best.")
    image_row([(r, f"<b>{names[d]}</b>" if d == pred else names[d]) for d, r in enumerate(clf.reconstructions(digit))],
              width=72 if presenter_mode() else 56)


def confusion_section(info: dict) -> None:
    """The test-set confusion matrix beside the test accuracy and the most common mix-ups."""
    acc, cm, n_test = summary_metrics(info)
    spec = dataset_info()
    names = list(spec.classes)
    cm_col, text_col = st.columns([3, 2], gap="large")
    if cm is None:
        cm_col.info("The test-set results of the per-class autoencoders (`perclass/summary.json`) are "
                    "not available.")
        return
    with cm_col:
        chart(confusion_figure(cm, names, title="Test-set confusion matrix"), key="apps-cm")
    mixups = top_confusions(cm, 3)
    worst = (" The most common mix-ups: " + ", ".join(f"{names[t]} read as {names[p]} ({c}x)" for t, p, c in mixups)
             + ".") if mixups else ""
    with text_col:
        st.metric("Test accuracy", percent(acc),
                  help=f"Measured on the full {spec.short} test set when the models were trained.")
        st.markdown(f"On all {n_test:,} {spec.short} test {spec.items}. Rows are the true class, columns the "
                    f"prediction; the diagonal is correct.{worst}")


def classification_tab() -> None:
    """Classification: a digit through ten per-class autoencoders, and their test-set confusion matrix."""
    reg = extra_models("the ten per-class autoencoders")
    loaded = reg.wait_extras(timeout=0)
    clf = reg.perclass
    if clf is None:
        why = reg.errors.get("perclass") or ("still loading; try again in a moment" if not loaded else "not loaded")
        st.warning("The per-class autoencoders (`perclass/digit_0.keras` ... `digit_9.keras`) are not "
                   f"available, so there is nothing to classify with: {why}")
        return
    item = dataset_info().item
    st.markdown(f"Ten small autoencoders, each trained on **one** class only. A new {item} goes through all "
                "ten; the one that rebuilds it best (lowest error) names the class.")
    digit, source, result_col = picker_beside_results("classify")
    with result_col:
        classifier_result(clf, digit, source)
    st.divider()
    confusion_section(clf.info)


# ---------------------------------------------------------------- page
st.title("Applications")
st.caption("Two things an autoencoder can do besides compressing: spot inputs that don't look like its "
           "training data, and classify digits using one small autoencoder per class.")

anomaly, classification = st.tabs(["Anomaly detection", "Classification"], key="apps-tab", on_change="rerun")
with anomaly:
    if anomaly.open:
        anomaly_tab()
with classification:
    if classification.open:
        classification_tab()
