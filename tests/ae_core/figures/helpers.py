"""Helpers shared by the figure tests."""


def trace_named(fig, name):
    """The one trace of `fig` called `name`."""
    matches = [t for t in fig.data if t.name == name]
    assert len(matches) == 1, f"expected one trace named {name!r}, got {[t.name for t in fig.data]}"
    return matches[0]
