"""`python -m ae_core ...`: see ae_core.cli."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from ae_core.cli import main  # noqa: E402

raise SystemExit(main())
