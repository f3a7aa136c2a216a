"""Draw & reconstruct: one digit through every autoencoder, with error maps."""
import streamlit as st

from ae_core.serving.runners import reconstruct_all
from pages.shared.resources import core_models
from pages.shared.session_models import user_models, user_reconstructions
from pages.shared.widgets import picker_beside_results, reconstruction_grid, show_image

st.title("Draw & reconstruct")
st.caption("Draw a digit and watch five autoencoders rebuild it from their compressed codes. "
           "Bright spots in the error maps are where a model got it wrong.")


@st.fragment
def draw_and_reconstruct() -> None:
    """The pad and every model's reconstruction: a stroke reruns only this part of the page."""
    digit, source, right = picker_beside_results("draw")
    with right:
        if digit is None:
            st.info("The reconstructions appear here as soon as there is a digit.")
        else:
            reg = core_models(in_fragment=True)
            recons, codes = reconstruct_all(reg.models, digit)
            show_image(digit, f"input: {source}<br>(28x28, as MNIST)")
            labels = {name: lm.label for name, lm in reg.models.items()}
            reconstruction_grid(digit, recons, labels)
            if "vae2" in codes:
                z = codes["vae2"]
                st.caption(f"The 2-d VAE places this digit at z = ({z[0]:+.2f}, {z[1]:+.2f}) on its latent map.")
            mine = user_reconstructions(digit)  # models this session trained or uploaded (Train page)
            if mine:
                st.markdown("##### Your models")
                n = max(len(labels), len(mine))  # same column width as the shipped models above
                with st.columns([len(mine), n - len(mine)] if n > len(mine) else 1)[0]:
                    reconstruction_grid(digit, mine, {name: lm.label for name, lm in user_models().items()})


draw_and_reconstruct()
