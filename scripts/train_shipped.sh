#!/usr/bin/env bash
# The exact commands that made every model in assets/models (run from the repo root, venv active).
# Usage: AE_LAB_MNIST=../shared/data/mnist.npz bash scripts/train_shipped.sh [a|b|c|fashion|all]
# The Fashion-MNIST models (assets/models/fashion) read /usr/share/datasets/fashion-mnist (Debian's
# dataset-fashion-mnist) or $AE_LAB_FASHION_MNIST; they are listed in the order they were run: the
# models every Fashion page needs first (dense, the 2-d VAE, per-class, compression), then the costlier ones.
# Queues can run side by side (TF_NUM_INTRAOP_THREADS=1 each) on a 2-core machine.
# Each model's sidecar (assets/models/*.json) records the command that made it, and for a continued
# training (--init-from) the command and history of the run it continued.
set -euo pipefail
M=assets/models
queue_a() {
  python -m ae_core train --model dense --code-size 16 --hidden 64 32 --epochs 40 --lr-schedule cosine --out $M/dense.keras --replace-shipped
  python -m ae_core train --model conv --filters 32 32 8 --epochs 18 --lr-schedule cosine --out $M/conv.keras --replace-shipped
  # continued: a second cosine cycle at a smaller batch
  python -m ae_core train --model conv --filters 32 32 8 --init-from $M/conv.keras --epochs 8 --lr 5e-4 --lr-schedule cosine --batch-size 64 --out $M/conv.keras --replace-shipped
  python -m ae_core train --model conv --filters 32 32 8 --init-from $M/conv.keras --epochs 4 --lr 3e-4 --lr-schedule cosine --batch-size 64 --out $M/conv.keras --replace-shipped
  python -m ae_core train --model denoising --filters 32 32 8 --noise-factor 0.5 --epochs 14 --lr-schedule cosine --out $M/denoising.keras --replace-shipped
  python -m ae_core train --model denoising --filters 32 32 8 --noise-factor 0.5 --init-from $M/denoising.keras --epochs 7 --lr 1e-3 --out $M/denoising.keras --replace-shipped
  python -m ae_core train --model denoising --filters 32 32 8 --noise-factor 0.5 --init-from $M/denoising.keras --epochs 4 --lr 5e-4 --lr-schedule cosine --out $M/denoising.keras --replace-shipped
}
queue_b() {
  python -m ae_core train --model vae --latent-dim 16 --epochs 15 --lr-schedule cosine --out $M/vae16.keras --replace-shipped
  # continued: a second cosine cycle at half the learning rate, for a margin under its floor
  python -m ae_core train --model vae --latent-dim 16 --epochs 20 --lr 0.0005 --lr-schedule cosine --init-from $M/vae16.keras --out $M/vae16.keras --replace-shipped
  python -m ae_core train --model vae --latent-dim 2 --epochs 14 --lr-schedule cosine --out $M/vae2.keras --replace-shipped
  # the beta series of the Latent page: vae2's command but for --beta (vae2 is its beta = 1 member)
  python -m ae_core train --model vae --latent-dim 2 --beta 0.25 --epochs 14 --lr-schedule cosine --out $M/beta/vae2_beta0_25.keras --replace-shipped
  python -m ae_core train --model vae --latent-dim 2 --beta 4 --epochs 14 --lr-schedule cosine --out $M/beta/vae2_beta4.keras --replace-shipped
}
queue_c() {
  python -m ae_core train --model compression --hidden 256 128 --sizes 2 4 8 16 32 64 --epochs 10 --lr-schedule cosine --out $M/compression --replace-shipped
  python -m ae_core train --model perclass --code-size 16 --hidden 256 --epochs 20 --lr-schedule cosine --out $M/perclass --replace-shipped
}
F=$M/fashion
# Each training waits for the shared lock and runs niced, so a long queue never starves the machine.
RUN=${RUN:-}
queue_fashion() {
  $RUN python -m ae_core train --dataset fashion --model dense --code-size 16 --hidden 256 128 --epochs 30 --lr-schedule cosine --out $F/dense.keras --replace-shipped
  $RUN python -m ae_core train --dataset fashion --model vae --latent-dim 2 --epochs 6 --lr-schedule cosine --out $F/vae2.keras --replace-shipped
  $RUN python -m ae_core train --dataset fashion --model perclass --code-size 8 --hidden 128 --epochs 20 --lr-schedule cosine --out $F/perclass --replace-shipped
  $RUN python -m ae_core train --dataset fashion --model compression --hidden 256 128 --sizes 2 4 8 16 32 --epochs 12 --lr-schedule cosine --out $F/compression --replace-shipped
  $RUN python -m ae_core train --dataset fashion --model compression --hidden 256 128 --sizes 64 --epochs 20 --lr-schedule cosine --out $F/compression --replace-shipped
  $RUN python -m ae_core train --dataset fashion --model vae --latent-dim 16 --epochs 6 --lr-schedule cosine --out $F/vae16.keras --replace-shipped
  $RUN python -m ae_core train --dataset fashion --model denoising --filters 32 32 8 --noise-factor 0.5 --epochs 2 --lr-schedule cosine --out $F/denoising.keras --replace-shipped
  $RUN python -m ae_core train --dataset fashion --model conv --filters 32 32 8 --epochs 5 --lr-schedule cosine --out $F/conv.keras --replace-shipped
}
case "${1:-all}" in
  a) queue_a ;;
  b) queue_b ;;
  c) queue_c ;;
  fashion) queue_fashion ;;
  all) queue_a; queue_b; queue_c; queue_fashion ;;
esac
