"""Applications: anomaly detection by reconstruction error, and classification by per-class autoencoders."""
import numpy as np
import streamlit as st

from ae_core.analysis.anomaly import default_threshold, is_anomaly, reconstruction_errors, summarize, threshold_options
from ae_core.analysis.classification import summary_metrics, top_confusions
from ae_core.figures.applications import class_error_bars, confusion_figure, error_histogram, roc_figure
from pages.shared.cached_results import ANOMALY_GROUPS, anomaly_scores
from pages.shared.resources import core_models, extra_models
from pages.shared.widgets import current_digit, image_row, picker_beside_results, presenter_mode, show_image

NORMAL = "MNIST digits"
ss = st.session_state


def _pct(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v:.1%}"


st.title("Applications")
st.caption("Two things an autoencoder can do besides compressing: spot inputs that don't look like its "
           "training data, and classify digits using one small autoencoder per class.")

tabs = st.tabs(["Anomaly detection", "Classification"], key="apps-tab", on_change="rerun")

with tabs[0]:
    if tabs[0].open:
        reg = core_models()
        names = list(reg.models)
        if not names:
            st.warning("No autoencoder is available for anomaly detection: "
                       + ("; ".join(f"{k}: {v}" for k, v in reg.errors.items()) or "the models did not load."))
        else:
            if "dense" not in names:
                st.warning(f"The dense autoencoder (`dense.keras`) is not available "
                           f"({reg.errors.get('dense', 'not loaded')}); using another model instead.")
            labels = {name: reg.models[name].label for name in names}
            st.markdown("An autoencoder trained only on handwritten digits rebuilds digits well and everything "
                        "else badly, so its **reconstruction error is an anomaly score**: above a threshold, "
                        "we call the input an anomaly.")
            ctl_model, ctl_groups = st.columns([1, 2], gap="large")
            with ctl_model:
                model = st.selectbox("Autoencoder", names, index=names.index("dense") if "dense" in names else 0,
                                     format_func=labels.get, key="apps-model", persist_state="session")
            with ctl_groups:
                groups = st.multiselect("Anomalies to detect", list(ANOMALY_GROUPS), default=list(ANOMALY_GROUPS),
                                        key="apps-groups", persist_state="session")
            with st.spinner(f"Scoring 5,500 images with the {labels[model]} (first time only)..."):
                scores = anomaly_scores(model)
            options = threshold_options(*scores.values())
            threshold = st.select_slider(
                "Threshold on the reconstruction error (MSE): above it, an image is flagged as an anomaly",
                options=options, value=default_threshold(scores[NORMAL], options),
                format_func=lambda v: f"{v:.3g}", key=f"apps-threshold-{model}", persist_state="session")
            user = current_digit()
            user_score = float(reconstruction_errors(reg.runner(model), user)[0]) if user is not None else None
            if not groups:
                st.info("Pick at least one kind of anomaly to measure how well the threshold separates it.")
                summary = None
            else:
                summary = summarize(threshold, scores[NORMAL], {g: scores[g] for g in groups})
                m = st.columns(4)
                m[0].metric("Precision", _pct(summary.precision),
                            help="Of the images flagged as anomalies, the share that really are anomalies.")
                m[1].metric("Recall", _pct(summary.recall),
                            help="Of the real anomalies, the share that get flagged.")
                m[2].metric("False alarms", _pct(summary.false_alarm_rate),
                            help="Share of normal MNIST test digits wrongly flagged.")
                m[3].metric("ROC AUC", f"{summary.auc:.3f}",
                            help="Chance that a random anomaly scores higher than a random digit "
                                 "(1 = perfect, 0.5 = guessing). Does not depend on the threshold.")
                st.caption("Caught at this threshold: " + ", ".join(
                    f"{_pct(v)} of {k}" for k, v in summary.caught.items())
                    + f". Anomalies are the positive class; {summary.n_normal:,} digits vs "
                      f"{summary.n_anomalies:,} anomalies.")
            st.plotly_chart(error_histogram(scores[NORMAL], {g: scores[g] for g in groups}, threshold,
                                            user_score, normal_label=NORMAL), key="apps-hist",
                            config={"displaylogo": False})
            roc_col, user_col = st.columns([1, 1], gap="large")
            with roc_col:
                if summary is not None:
                    st.plotly_chart(roc_figure(summary.fpr, summary.tpr, summary.auc,
                                               (summary.false_alarm_rate, summary.recall)),
                                    key="apps-roc", config={"displaylogo": False})
            with user_col:
                st.markdown("**Reading the charts.** Moving the threshold right means fewer false alarms but "
                            "more missed anomalies: the red dot slides down the ROC curve. The curve itself, "
                            "and its area (AUC), only depend on how well the two histograms are separated.")
                if user_score is None:
                    st.caption("Draw a digit (Classification tab, or any other page) to see where your own "
                               "handwriting lands on the histogram.")
                else:
                    pic, verdict = st.columns([1, 2], vertical_alignment="center")
                    with pic:
                        show_image(user, "your digit", 112)
                    with verdict:
                        if is_anomaly(user_score, threshold):
                            st.markdown(f"Your digit's error is **{user_score:.4f}**, above the threshold "
                                        f"{threshold:.3g}: **flagged as an anomaly**. Messy or unusual "
                                        "handwriting looks strange to the model too.")
                        else:
                            st.markdown(f"Your digit's error is **{user_score:.4f}**, below the threshold "
                                        f"{threshold:.3g}: **looks like a normal digit** (the green line).")

with tabs[1]:
    if tabs[1].open:
        reg = extra_models("the ten per-class autoencoders")
        loaded = reg.wait_extras(timeout=0)
        clf = reg.perclass
        if clf is None:
            why = reg.errors.get("perclass") or ("still loading; try again in a moment" if not loaded else "not loaded")
            st.warning("The per-class autoencoders (`perclass/digit_0.keras` ... `digit_9.keras`) are not "
                       f"available, so there is nothing to classify with: {why}")
        else:
            st.markdown("Ten small autoencoders, each trained on **one** digit only. A new digit goes through all "
                        "ten; the one that rebuilds it best (lowest error) names the class.")
            digit, source, result_col = picker_beside_results("classify")
            with result_col:
                if digit is None:
                    st.caption("The ten reconstruction errors and the predicted class appear here.")
                else:
                    errors = clf.errors(digit)[0]
                    pred = int(np.argmin(errors))
                    st.subheader(f"Predicted class: {pred}")
                    st.plotly_chart(class_error_bars(errors, predicted=pred,
                                                     title="Reconstruction error under each class's autoencoder"),
                                    key="apps-bars", config={"displaylogo": False})
                    recons = clf.reconstructions(digit)
                    st.caption(f"How each class's autoencoder rebuilds {source}: the {pred}-specialist "
                               "does it best.")
                    image_row([(r, f"<b>{d}</b>" if d == pred else str(d)) for d, r in enumerate(recons)],
                              width=72 if presenter_mode() else 56)
            st.divider()
            acc, cm, n_test = summary_metrics(clf.info)
            cm_col, text_col = st.columns([3, 2], gap="large")
            if cm is None:
                with cm_col:
                    st.info("The test-set results of the per-class autoencoders (`perclass/summary.json`) are "
                            "not available.")
            else:
                with cm_col:
                    st.plotly_chart(confusion_figure(cm, title="Test-set confusion matrix"), key="apps-cm",
                                    config={"displaylogo": False})
                with text_col:
                    st.metric("Test accuracy", _pct(acc) if acc is not None else "n/a",
                              help="Measured on the full MNIST test set when the models were trained.")
                    mixups = top_confusions(cm, 3)
                    worst = (" The most common mix-ups: " + ", ".join(f"{t} read as {p} ({c}x)" for t, p, c in mixups)
                             + ".") if mixups else ""
                    st.markdown(f"On all {n_test:,} MNIST test digits. Rows are the true digit, columns the "
                                f"prediction; the diagonal is correct.{worst}")
