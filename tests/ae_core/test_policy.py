"""Who may train and upload: the start setting from the environment, the shared run-time choice, the limits."""
from __future__ import annotations

import subprocess
import sys

import pytest

from ae_core import policy
from ae_core.paths import REPO_ROOT
from ae_core.policy import MB, Allow, Limits, Settings, UploadUsage

KEYED = Settings(Allow.PRESENTER, "s3cret")


def test_defaults_are_todays_behaviour_with_limits():
    s = policy.settings_from_env({})
    assert s.allow is Allow.EVERYONE and s.presenter_key == "" and not s.problems
    assert s.limits == Limits()
    assert policy.may_train(Allow.EVERYONE, False, s) and policy.may_upload(Allow.EVERYONE, False, s)


def test_environment_sets_allow_key_and_limits():
    s = policy.settings_from_env({"AE_LAB_ALLOW": " Nobody ", "AE_LAB_PRESENTER_KEY": "k",
                                  "AE_LAB_MAX_UPLOADS": "3", "AE_LAB_MAX_UPLOAD_MB": "1.5",
                                  "AE_LAB_MAX_TRAIN_SIZE": "0"})
    assert s.allow is Allow.NOBODY and s.presenter_key == "k" and not s.problems
    assert s.limits == Limits(max_uploads=3, max_upload_bytes=int(1.5 * MB), max_train_size=0)
    assert "k" not in repr(s)  # the key never lands in a log


@pytest.mark.parametrize("env, problem", [
    ({"AE_LAB_ALLOW": "all"}, "AE_LAB_ALLOW='all' is not one of everyone, presenter, nobody; using presenter"),
    ({"AE_LAB_MAX_UPLOADS": "-1"}, "AE_LAB_MAX_UPLOADS='-1' is not a number >= 0"),
    ({"AE_LAB_MAX_UPLOAD_MB": "lots"}, "AE_LAB_MAX_UPLOAD_MB='lots' is not a number >= 0 (0 means no limit); "
                                       "using 100"),
    ({"AE_LAB_MAX_TRAIN_SIZE": "nan"}, "AE_LAB_MAX_TRAIN_SIZE='nan' is not a number >= 0"),
])
def test_unusable_settings_are_named_and_fail_closed(env, problem):
    s = policy.settings_from_env(env)
    assert len(s.problems) == 1 and s.problems[0].startswith(problem), s.problems
    assert s.allow is (Allow.PRESENTER if "AE_LAB_ALLOW" in env else Allow.EVERYONE)
    assert s.limits == Limits()


def test_the_key_matches_only_itself_and_never_without_one():
    assert policy.key_matches("s3cret", KEYED)
    for wrong in ("", None, "s3cre", "s3cret ", "S3CRET"):
        assert not policy.key_matches(wrong, KEYED)
    assert not policy.key_matches("", Settings(Allow.PRESENTER, ""))
    assert not policy.key_matches("anything", Settings(Allow.PRESENTER, ""))


@pytest.mark.parametrize("allow, presenter, ok, reason", [
    (Allow.EVERYONE, False, True, ""),
    (Allow.PRESENTER, True, True, ""),
    (Allow.PRESENTER, False, False, "Training is reserved for the presenter in this session."),
    (Allow.NOBODY, False, False, "Training is turned off for everyone in this session."),
    (Allow.NOBODY, True, False, "Training is turned off for everyone in this session. You can change that under "
                                "Presenter controls in the sidebar."),
])
def test_who_may_train(allow, presenter, ok, reason):
    d = policy.may_train(allow, presenter, KEYED)
    assert (bool(d), d.reason) == (ok, reason)
    assert bool(policy.may_upload(allow, presenter, KEYED)) is ok
    assert bool(policy.may_delete(allow, presenter, KEYED)) is ok
    if not ok:
        assert policy.may_upload(allow, presenter, KEYED).reason.startswith("Uploading models is ")


def test_presenter_only_without_a_key_says_so():
    d = policy.may_train(Allow.PRESENTER, False, Settings(Allow.PRESENTER, ""))
    assert not d and "no presenter key was set when the app was started (AE_LAB_PRESENTER_KEY)" in d.reason


def test_upload_limits_count_and_bytes_but_not_for_the_presenter():
    s = Settings(Allow.EVERYONE, "k", Limits(max_uploads=2, max_upload_bytes=10 * MB))
    used = UploadUsage().add(4 * MB)
    assert used == UploadUsage(1, 4 * MB)
    assert policy.upload_decision(Allow.EVERYONE, False, s, used, 6 * MB)
    d = policy.upload_decision(Allow.EVERYONE, False, s, used, 7 * MB)
    assert not d and d.reason == ("This file is 7 MB (with the 4 MB you have uploaded); uploads are limited to "
                                  "10 MB per visitor in this session.")
    d = policy.upload_decision(Allow.EVERYONE, False, s, used.add(1), 1)
    assert not d and d.reason == "You have uploaded 2 model files in this session; the limit is 2 per visitor."
    assert policy.upload_decision(Allow.EVERYONE, True, s, UploadUsage(50, 500 * MB), 50 * MB)
    assert not policy.upload_decision(Allow.NOBODY, True, s, UploadUsage(), 1)  # no one means no one
    unlimited = Settings(limits=Limits(0, 0, 0))
    assert policy.upload_decision(Allow.EVERYONE, False, unlimited, UploadUsage(10**6, 10**12), 10**9)
    assert policy.upload_limits_text(s.limits) == "Up to 2 files and 10 MB in all per visitor in this session."
    assert policy.upload_limits_text(unlimited.limits) == ""


def test_sizes_in_words():
    assert [policy.size_text(n) for n in (0, 100, 5000, MB // 10, int(1.56 * MB), 100 * MB)] == \
        ["0 KB", "1 KB", "5 KB", "0.1 MB", "1.6 MB", "100 MB"]


def test_training_size_limit():
    s = Settings(Allow.EVERYONE, "k", Limits(max_train_size=100_000))
    assert policy.training_size(10, 10_000) == 100_000
    assert policy.training_decision(Allow.EVERYONE, False, s, 10, 10_000)
    d = policy.training_decision(Allow.EVERYONE, False, s, 11, 10_000)
    assert not d and d.reason == ("This training is too large for this session: 11 epochs x 10,000 digits = "
                                  "110,000 digit passes; the limit is 100,000. Use fewer epochs or fewer training "
                                  "digits.")
    assert policy.training_decision(Allow.PRESENTER, True, s, 500, 60_000)  # the presenter has no limit
    assert not policy.training_decision(Allow.PRESENTER, False, s, 1, 16)  # the gate comes first
    assert policy.training_decision(Allow.EVERYONE, False, Settings(limits=Limits(max_train_size=0)), 500, 60_000)


def test_the_run_time_choice_is_shared_through_the_user_folder(user_home):
    start = Settings(Allow.EVERYONE, "k")
    assert policy.current_allow(start) is Allow.EVERYONE  # no choice made yet
    policy.set_allow("presenter", start)
    assert policy.choice_path().parent == user_home
    assert not [p for p in user_home.iterdir() if p.name.startswith(".")]  # written atomically
    # another process sharing the folder follows it
    code = ("from ae_core import policy; s = policy.settings_from_env(); print(policy.current_allow(s).value)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"AE_LAB_HOME": str(user_home), "PATH": "/usr/bin:/bin"}, cwd=REPO_ROOT)
    assert out.stdout.strip() == "presenter"
    policy.set_allow(Allow.NOBODY, start)
    assert policy.current_allow(start) is Allow.NOBODY


def test_a_restart_with_another_start_setting_wins_over_an_old_choice(user_home):
    policy.set_allow(Allow.EVERYONE, Settings(Allow.PRESENTER, "k"))
    assert policy.current_allow(Settings(Allow.PRESENTER, "k")) is Allow.EVERYONE
    assert policy.current_allow(Settings(Allow.NOBODY, "k")) is Allow.NOBODY
    policy.choice_path().write_text('{"allow": "bogus", "over": "presenter"}')
    assert policy.current_allow(Settings(Allow.PRESENTER, "k")) is Allow.PRESENTER
    policy.choice_path().write_text("not json")
    assert policy.current_allow(Settings(Allow.NOBODY, "k")) is Allow.NOBODY
