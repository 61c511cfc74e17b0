"""The store killed in the middle of an upload: one clear line, no link, and the next share
after a restart removes what the failed one left."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from s3server import s3_client, weed_processes

from builder import store as local_store
from builder.cli import main
from builder.context import Options, ShareOptions
from builder.errors import ShareError
from builder.pipeline import from_folder, run_steps
from builder.share import ledger

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def keys(store: local_store.Store) -> set[str]:
    listed = s3_client(store).list_objects_v2(Bucket=store.bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


@contextmanager
def built_beside_a_store(
    tmp_path: Path, output: str
) -> Iterator[tuple[Path, dict[str, str], Path]]:
    """Yield (data folder, environment, output folder) of examples/ada built with *output*,
    its local store running; stop the store after."""
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(EXAMPLES / "ada", tmp_path / "ada")
    env = {"FOLLOWUP_DATA_DIR": str(data), "FOLLOWUP_BUCKET": ""}
    try:
        local_store.ensure_running(data)
        built = CliRunner().invoke(
            main, [output, str(tmp_path / "ada" / "pitch.yaml"), "-o", str(out)], env=env
        )
        assert built.exit_code == 0, built.output
        yield data, env, out
    finally:
        local_store.stop(data, timeout=2.0)


def test_store_killed_mid_upload(tmp_path: Path) -> None:
    # All outputs: the kill meets an upload still on its way.
    with built_beside_a_store(tmp_path, "all") as (data, env, out):
        store = local_store.ensure_running(data)  # running: this gives its address

        # Killed when the first file is up (the smallest): the video is still on its way.
        def kill(what: str, fraction: float) -> None:
            if store.pid is not None and weed_processes(data):
                os.kill(store.pid, signal.SIGKILL)

        options = Options(share=ShareOptions(data_dir=data))
        with pytest.raises(ShareError) as failed:
            run_steps(from_folder(out), ["share"], options, kill)
        message = str(failed.value)
        assert "\n" not in message
        assert message.startswith("upload of ") and "cannot reach the store" in message
        assert "will be deleted by the next share to that store" in message
        assert ledger.all_shares(data) == []  # no share, so no link was ever shown
        left = ledger.orphans(data, f"{store.endpoint} {store.bucket}")
        assert left

        store = local_store.ensure_running(data)  # same port: old links would work again
        # Everything the failed share left in the store is remembered (and perhaps keys
        # whose upload the store never kept: deleting those costs nothing).
        assert keys(store) and keys(store) <= set(left)
        again = CliRunner().invoke(main, ["share", str(out), "--json"], env=env)
        assert again.exit_code == 0, again.output
        [share] = ledger.all_shares(data)
        assert keys(store) == set(share.keys)  # the leftovers are gone, the new share whole
        assert ledger.orphans(data, f"{store.endpoint} {store.bucket}") == []
    assert not weed_processes(data)


def test_unreachable_store_is_one_line(tmp_path: Path, monkeypatch: Any) -> None:
    shutil.copytree(EXAMPLES / "ada", tmp_path / "ada")
    out = tmp_path / "out"
    env = {
        "FOLLOWUP_DATA_DIR": str(tmp_path / "data"),
        "FOLLOWUP_BUCKET": "shares",
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
    runner = CliRunner()
    pitch = str(tmp_path / "ada" / "pitch.yaml")
    result = runner.invoke(main, ["deck", pitch, "-o", str(out), "--share"], env=env)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: bucket shares: cannot reach the store (http://127.0.0.1:9/shares)"
    )


def test_what_a_killed_share_left_is_swept_by_the_next(tmp_path: Path) -> None:
    # A share killed (SIGKILL, or Ctrl-C again while it took its uploads back) leaves
    # objects and an unfinished multipart upload that no ledger entry named: kept forever.
    import subprocess

    with built_beside_a_store(tmp_path, "site") as (data, env, out):
        store = local_store.ensure_running(data)
        s3 = s3_client(store)
        dead = "0123456789abcdef0123456789abcdef/"
        s3.put_object(Bucket=store.bucket, Key=dead + "index.html", Body=b"<p>half a share")
        s3.create_multipart_upload(Bucket=store.bucket, Key=dead + "video.mp4")
        ended = subprocess.Popen(["true"])
        ended.wait()  # a process that has ended: the killed run's pid
        place = f"{store.endpoint} {store.bucket}"
        ledger.add_pending(data, place, [dead])
        with ledger._db(data) as db:  # as the killed run wrote it, under its own pid
            db.execute("UPDATE pending SET pid = ? WHERE prefix = ?", (ended.pid, dead))
        again = CliRunner().invoke(main, ["share", str(out), "--json"], env=env)
        assert again.exit_code == 0, again.output
        [share] = ledger.all_shares(data)
        assert keys(store) == set(share.keys)  # the dead run's objects are gone
        uploads = s3.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
        assert not [u for u in uploads if u["Key"].startswith(dead)]
        assert ledger.abandoned(data, place) == []
