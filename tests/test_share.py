"""Private links against a real SeaweedFS S3 server: what opens, what is refused, and what a
failure leaves behind."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import boto3
import pytest
from click.testing import CliRunner, Result

from builder.cli import main
from builder.errors import ShareError
from builder.outdir import locked
from builder.share import ledger
from builder.share.expiry import MAX_SECONDS, link_end, parse_expires
from builder.share.links import lapsed, presign, self_test
from builder.share.records import Link, Share
from builder.share.target import check_bucket_name, client_config, local_target
from builder.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Return status, headers and body of a GET (an error status is returned, not raised)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def unsigned(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def s3(store: Store) -> Any:
    session = boto3.Session(
        aws_access_key_id=store.access_key,
        aws_secret_access_key=store.secret_key,
        region_name="us-east-1",
    )
    return session.client("s3", endpoint_url=store.endpoint, config=client_config("path"))


def bucket_keys(store: Store, bucket: str | None = None) -> set[str]:
    pages = s3(store).get_paginator("list_objects_v2").paginate(Bucket=bucket or store.bucket)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


@pytest.fixture(scope="module")
def env(s3_store: Store) -> dict[str, str]:
    """Return the environment that points `build` at the test store's data folder."""
    return {"FOLLOWUP_DATA_DIR": str(s3_store.home.parent), "FOLLOWUP_BUCKET": ""}


@pytest.fixture(scope="module")
def run(env: dict[str, str]) -> Any:
    runner = CliRunner()

    def invoke(*args: str | Path, extra: dict[str, str] | None = None) -> Result:
        return runner.invoke(
            main, [str(a) for a in args], env=env | (extra or {}), catch_exceptions=False
        )

    return invoke


@pytest.fixture(scope="module")
def ada(tmp_path_factory: pytest.TempPathFactory, run: Any) -> Path:
    """Return the output folder of `build all` on a copy of examples/ada (not shared)."""
    folder = tmp_path_factory.mktemp("ada")
    shutil.copytree(EXAMPLES / "ada", folder / "ada")
    result = run("all", folder / "ada" / "pitch.yaml", "-o", folder / "out")
    assert result.exit_code == 0, result.output
    assert "private link: build share" in result.output
    return folder / "out"


@pytest.fixture(scope="module")
def shared(ada: Path, run: Any) -> dict[str, Any]:
    """Return the JSON of one `build share` of the ada build: {"links": [...], ...}."""
    result = run("share", ada, "--json")
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def link(report: dict[str, Any], output: str) -> str:
    url: str = next(row["url"] for row in report["links"] if row["output"] == output)
    return url


def test_share_prints_one_link_per_output(shared: dict[str, Any]) -> None:
    rows = shared["links"]
    assert sorted(row["output"] for row in rows) == ["deck", "site", "video"]
    assert {row["interviewer"] for row in rows} == {"Sarah Kim"}
    assert len({row["share_id"] for row in rows}) == 1
    for row in rows:
        ends = datetime.fromisoformat(row["expires_at"])
        assert timedelta(days=6, hours=23) < ends - datetime.now(UTC) <= timedelta(days=7)
        assert row["local"] is True


def test_links_are_sigv4_with_an_unguessable_prefix(shared: dict[str, Any]) -> None:
    for row in shared["links"]:
        query = parse_qs(urlsplit(row["url"]).query)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        assert int(query["X-Amz-Expires"][0]) == MAX_SECONDS
        # path-style: /bucket/<prefix>/<name>; the prefix carries 128 random bits
        prefix = urlsplit(row["url"]).path.split("/")[2]
        assert len(prefix) == 32 and int(prefix, 16) >= 0


@pytest.mark.parametrize(
    ("output", "mime", "filename"),
    [
        ("site", "text/html; charset=utf-8", "index.html"),
        ("video", "video/mp4", "Ada%20Example.mp4"),
        ("deck", "application/pdf", "Ada%20Example.pdf"),
    ],
)
def test_each_link_opens_inline_with_its_type(
    shared: dict[str, Any], output: str, mime: str, filename: str
) -> None:
    status, headers, body = fetch(link(shared, output))
    assert status == 200
    assert headers["Content-Type"] == mime
    assert headers["Content-Disposition"].startswith("inline; ")
    assert f"filename*=UTF-8''{filename}" in headers["Content-Disposition"]
    assert len(body) > 1000


def test_without_or_with_a_wrong_signature_everything_is_refused(
    shared: dict[str, Any], s3_store: Store
) -> None:
    site, video = link(shared, "site"), link(shared, "video")
    assert fetch(unsigned(site))[0] == 403
    tampered = site.replace("X-Amz-Signature=", "X-Amz-Signature=0")[: len(site)]
    assert fetch(tampered)[0] == 403
    # The signature of one key does not open another key of the same share.
    other = urlsplit(video)._replace(query=urlsplit(site).query).geturl()
    assert fetch(other)[0] == 403
    # Nobody lists the bucket or the store without credentials.
    assert fetch(f"{s3_store.endpoint}/{s3_store.bucket}/")[0] == 403
    assert fetch(f"{s3_store.endpoint}/")[0] == 403


def test_the_pptx_stays_home_unless_asked(
    shared: dict[str, Any], ada: Path, run: Any, s3_store: Store
) -> None:
    prefix = urlsplit(link(shared, "site")).path.split("/")[2]
    names = {key.split("/", 1)[1] for key in bucket_keys(s3_store) if key.startswith(prefix)}
    assert names == {
        "index.html", "video.mp4", "video.vtt", "poster.png", "deck.pdf", "share.json"
    }  # fmt: skip
    result = run("share", ada, "--json", "--include-pptx", "--expires", "1h")
    assert result.exit_code == 0, result.output
    pptx = link(json.loads(result.stdout), "pptx")
    status, headers, _ = fetch(pptx)
    assert status == 200
    # No browser shows a .pptx: it is saved (inline, it opened a blank tab).
    assert headers["Content-Disposition"].startswith("attachment; ")


def test_the_shared_site_points_at_signed_media(shared: dict[str, Any]) -> None:
    page = fetch(link(shared, "site"))[2].decode()
    manifest = page.split('id="media-manifest">', 1)[1].split("</script>", 1)[0]
    files = json.loads(manifest)["files"]
    assert set(files) == {"video.mp4", "video.vtt", "poster.png", "deck.pdf"}
    for entry in files.values():
        assert "X-Amz-Signature=" in entry["url"]
        assert fetch(entry["url"], {"Range": "bytes=0-0"})[0] == 206


def test_the_local_page_keeps_relative_media(ada: Path, shared: dict[str, Any]) -> None:
    page = (ada / "site" / "index.html").read_text()
    assert 'data-media="video.mp4" src="video.mp4"' in page
    assert "X-Amz" not in page


def test_link_is_refused_after_it_expires(ada: Path, run: Any) -> None:
    # 3 s: the lifetime counts from the whole second it was signed in, and the share
    # proves each link before it prints it, so a shorter one could lapse before that.
    result = run("share", ada, "--json", "--expires", "3s")
    assert result.exit_code == 0, result.output
    url = link(json.loads(result.stdout), "deck")
    time.sleep(3.5)
    assert fetch(url)[0] == 403


@pytest.mark.parametrize(
    ("span", "message"),
    [
        ("8d", "error: --expires: '8d' is longer than 7d, the most a private link can live"),
        ("-1s", "error: --expires: '-1s' is negative; give 1s to 7d"),
        ("0s", "error: --expires: '0s' is zero; give 1s to 7d"),
        ("soon", "error: --expires: 'soon' is not a duration like 90m, 36h or 7d"),
        ("", "error: --expires: '' is not a duration like 90m, 36h or 7d"),  # was 7 days
    ],
)
def test_bad_expiry_is_one_line_and_uploads_nothing(
    ada: Path, run: Any, s3_store: Store, span: str, message: str
) -> None:
    before = bucket_keys(s3_store)
    result = run("share", ada, "--expires", span)
    assert result.exit_code == 1
    assert result.output.strip() == message
    assert bucket_keys(s3_store) == before


def test_an_empty_file_is_one_line_and_uploads_nothing(
    ada: Path, run: Any, s3_store: Store, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(ada, copy)
    (copy / "site" / "video.vtt").write_bytes(b"")  # a full disk, a copy gone wrong
    before = bucket_keys(s3_store)
    result = run("share", copy)
    assert result.exit_code == 1  # it was a traceback (StopIteration)
    assert result.output.strip() == (
        f"error: {copy / 'site' / 'video.vtt'}: the file is empty; build the video again"
    )
    assert bucket_keys(s3_store) == before


def test_a_read_only_build_folder_is_shared(ada: Path, run: Any, tmp_path: Path) -> None:
    # An archived build nobody may write: its lock file could not be made, so it could not
    # be shared ("cannot write the output folder"), though sharing only reads it.
    archived = tmp_path / "archived"
    shutil.copytree(ada, archived)
    # chmod stops everyone but root; the immutable flag stops root too (ext4, xfs, btrfs).
    freeze = ["chattr", "+i", str(archived)] if os.geteuid() == 0 else None
    if freeze:
        subprocess.run(freeze, check=True)
    else:
        archived.chmod(0o555)
    try:
        assert not os.access(archived, os.W_OK)
        result = run("share", archived, "--json")
        assert result.exit_code == 0, result.output
        assert fetch(link(json.loads(result.stdout), "site"), {"Range": "bytes=0-0"})[0] == 206
    finally:
        if freeze:
            subprocess.run(["chattr", "-i", str(archived)], check=True)
        archived.chmod(0o755)


def test_a_folder_being_built_is_not_shared_and_a_share_holds_off_builds(
    ada: Path, run: Any, s3_store: Store
) -> None:
    before = bucket_keys(s3_store)
    with locked(ada):  # as a build moving new files into it would
        result = run("share", ada)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {ada} is being built by another build (pid {os.getpid()}); "
        "wait for it, then share again"
    )
    assert bucket_keys(s3_store) == before
    with locked(ada, "share"):
        result = run("deck", ada.parent / "ada" / "pitch.yaml", "-o", ada)
        again = run("share", ada)
    assert (result.exit_code, again.exit_code) == (1, 1)
    assert result.output.strip() == (
        f"error: {ada} is being shared by another build (pid {os.getpid()}); "
        "wait for it or choose another -o"
    )
    assert again.output.strip() == (
        f"error: {ada} is being shared by another build (pid {os.getpid()}); "
        "wait for it, then share again"
    )
    assert bucket_keys(s3_store) == before
    assert not (ada / ".build.lock").exists()


def test_parse_expires_accepts_the_usual_spans() -> None:
    assert parse_expires("90s") == 90
    assert parse_expires("45m") == 2700
    assert parse_expires("1d12h") == 129600
    assert parse_expires("7d") == MAX_SECONDS
    assert parse_expires("1w") == MAX_SECONDS


def test_temporary_credentials_end_the_link_sooner_or_refuse() -> None:
    from botocore.credentials import Credentials, RefreshableCredentials

    now = datetime.now(UTC)
    keys = Credentials("AKIA", "secret")
    assert link_end(3600, keys, now) == now + timedelta(hours=1)
    soon = RefreshableCredentials(
        "ASIA", "secret", "token", now + timedelta(hours=2), lambda: {}, "sso"
    )
    assert link_end(3600, soon, now) == now + timedelta(hours=1)
    with pytest.raises(ValueError, match="temporary and end in 2 hours"):
        link_end(MAX_SECONDS, soon, now)


@pytest.mark.parametrize("name", ["My-Bucket", "a", "bad_name", "192.168.1.1", "x..y"])
def test_bucket_names_are_checked(name: str) -> None:
    with pytest.raises(ValueError, match="bucket"):
        check_bucket_name(name)
    assert check_bucket_name("my.bucket-1") == "my.bucket-1"


def test_a_bucket_with_capitals_is_one_line(ada: Path, run: Any) -> None:
    result = run("share", ada, "--bucket", "My-Bucket")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: --bucket: bucket 'My-Bucket' has capitals; S3 bucket names are lowercase"
    )


def test_build_all_share_ends_with_links(tmp_path: Path, run: Any, s3_store: Store) -> None:
    shutil.copytree(EXAMPLES / "ada", tmp_path / "ada")
    result = run("deck", tmp_path / "ada" / "pitch.yaml", "-o", tmp_path / "out", "--share")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Sarah Kim:"
    pdf = next(line for line in lines if line.startswith("  pdf link "))
    assert fetch(pdf.split()[2])[0] == 200
    assert any(line.startswith("  expires    ") and " · share " in line for line in lines)
    assert "work only on this computer" in result.stderr
    record = json.loads((tmp_path / "out" / "build.json").read_text())
    assert record["outputs"] == ["deck"] and record["interviewer"] == "Sarah Kim"


def test_links_lists_revoke_deletes_and_proves_it(
    ada: Path, run: Any, env: dict[str, str], s3_store: Store
) -> None:
    made = json.loads(run("share", ada, "--json").stdout)
    share_id = made["links"][0]["share_id"]
    listed = run("links", ada.parent / "ada" / "pitch.yaml")
    assert f"{share_id}  Sarah Kim  active  [this computer only]" in listed.output
    result = run("revoke", share_id)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"revoked {share_id} (Sarah Kim): files deleted")
    for row in made["links"]:
        assert fetch(row["url"])[0] in (403, 404)
    prefix = urlsplit(link(made, "site")).path.split("/")[2]
    assert not [key for key in bucket_keys(s3_store) if key.startswith(prefix)]
    assert f"{share_id}  Sarah Kim  revoked" in run("links").output
    again = run("revoke", share_id)  # says so, and checks again
    assert again.exit_code == 0, again.output
    assert again.output.startswith(f"{share_id} (Sarah Kim) was revoked 20"), again.output
    assert re.search(r"; checked again: no files left, the link answers 40[34]\n$", again.output)


def test_renew_signs_again_and_relinks_the_page(ada: Path, run: Any) -> None:
    made = json.loads(run("share", ada, "--json", "--expires", "1h").stdout)
    share_id = made["links"][0]["share_id"]
    result = run("renew", share_id, "--expires", "2d")
    assert result.exit_code == 0, result.output
    assert "send them again" in result.output
    fresh = result.output.split("  link       ", 1)[1].split()[0]
    assert fresh != link(made, "site")
    assert "X-Amz-Expires=172800" in fresh
    for page_link in (fresh, link(made, "site")):  # the old page link still opens
        page = fetch(page_link)[2].decode()
        video = page.split('data-media="video.mp4" src="', 1)[1].split('"', 1)[0]
        assert "X-Amz-Expires=172800" in video.replace("&amp;", "&")
        assert fetch(video.replace("&amp;", "&"), {"Range": "bytes=0-0"})[0] == 206


def test_clean_deletes_the_files_of_expired_shares(ada: Path, run: Any, s3_store: Store) -> None:
    result = run("share", ada, "--json", "--expires", "3s")  # 3 s: see the test above
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    prefix = urlsplit(link(made, "site")).path.split("/")[2]
    assert any(key.startswith(prefix) for key in bucket_keys(s3_store))
    time.sleep(3.5)
    # Only the shares of the pitch named: another pitch's expired share stays (it went).
    other = ada.parent / "other.yaml"
    shutil.copy(ada.parent / "ada" / "pitch.yaml", other)
    result = run("links", other, "--clean")
    assert result.exit_code == 0, result.output
    assert (
        result.output
        == f"no shares of {other} yet; build with --share, or run: build share OUT_DIR\n"
    )
    assert any(key.startswith(prefix) for key in bucket_keys(s3_store))
    result = run("links", "--clean", "--json")
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)  # stdout is the JSON alone
    assert f"deleted the files of share {made['links'][0]['share_id']}" in result.stderr
    assert not any(key.startswith(prefix) for key in bucket_keys(s3_store))
    missing = run("links", ada.parent / "nonexistent.yaml")
    assert missing.exit_code == 1  # it said "no shares yet"
    assert missing.output == f"error: {ada.parent / 'nonexistent.yaml'}: no such file\n"


def test_a_link_that_lapses_before_its_check_is_named_as_such(s3_store: Store) -> None:
    # A 1 s link signed late in a second can be over before the self-test reaches it: the
    # user is told that, not that the store refused a working link.
    target = local_target(s3_store.home.parent)
    target.client.put_object(Bucket=target.bucket, Key="lapse/x.txt", Body=b"x")
    url = presign(target, "lapse/x.txt", 1)
    time.sleep(2.1)
    with pytest.raises(ShareError, match="expired before it could be checked"):
        self_test(target, {"x.txt": url})
    assert lapsed(url) and not lapsed(presign(target, "lapse/x.txt", 60))


def test_share_status_follows_the_clock() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)

    def share(ends: datetime, revoked: datetime | None = None) -> Share:
        return Share(
            "id", "Sarah Kim", "sarah-kim", "/p.yaml", "/out", "b", "http://x", "p/", ("p/a",),
            (Link("site", "http://x/p/a", ends),), now, revoked_at=revoked,
        )  # fmt: skip

    assert share(now + timedelta(days=3)).status(now) == "active"
    assert share(now + timedelta(hours=5)).status(now) == "expiring"
    assert share(now - timedelta(seconds=1)).status(now) == "expired"
    assert share(now + timedelta(days=3), revoked=now).status(now) == "revoked"


def test_the_ledger_is_private_to_the_user(shared: dict[str, Any], s3_store: Store) -> None:
    path = s3_store.home.parent / ledger.FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert ledger.all_shares(s3_store.home.parent)


@pytest.fixture(scope="module")
def aws_env(s3_store: Store) -> Iterator[dict[str, str]]:
    """Return the standard AWS variables that point a configured bucket, team-shares, at the
    test store."""
    s3(s3_store).create_bucket(Bucket="team-shares")
    yield {
        "AWS_ENDPOINT_URL_S3": s3_store.endpoint,
        "AWS_ACCESS_KEY_ID": s3_store.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_store.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }


def test_a_configured_bucket_is_used_through_the_standard_aws_settings(
    ada: Path, run: Any, aws_env: dict[str, str], s3_store: Store
) -> None:
    result = run("share", ada, "--json", extra=aws_env | {"FOLLOWUP_BUCKET": "team-shares"})
    assert result.exit_code == 0, result.output
    url = link(json.loads(result.stdout), "site")
    assert urlsplit(url).path.startswith("/team-shares/")
    assert fetch(url)[0] == 200
    assert json.loads(result.stdout)["links"][0]["local"] is False
    # Revoked where the files are, the endpoint recorded with the share: the configuration
    # no longer names it (it would have gone to AWS with these keys).
    share_id = json.loads(result.stdout)["links"][0]["share_id"]
    moved = {k: v for k, v in aws_env.items() if not k.startswith("AWS_ENDPOINT_URL")}
    revoked = run("revoke", share_id, extra=moved | {"AWS_ENDPOINT_URL_S3": None})
    assert revoked.exit_code == 0, revoked.output
    assert fetch(url)[0] in (403, 404)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"AWS_SECRET_ACCESS_KEY": "wrong"}, "error: bucket team-shares: the secret key is wrong"),
        ({"FOLLOWUP_BUCKET": "no-such-bucket"}, "error: bucket no-such-bucket: does not exist"),
        (
            {"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9"},
            "error: bucket team-shares: cannot reach the store (http://127.0.0.1:9/team-shares)",
        ),
    ],
)
def test_configuration_faults_are_one_line_and_upload_nothing(
    ada: Path, run: Any, aws_env: dict[str, str], s3_store: Store, change: Any, message: str
) -> None:
    before = bucket_keys(s3_store, "team-shares")
    result = run("share", ada, extra=aws_env | {"FOLLOWUP_BUCKET": "team-shares"} | change)
    assert result.exit_code == 1
    assert result.output.strip() == message
    assert bucket_keys(s3_store, "team-shares") == before


def test_a_public_bucket_stops_the_share_before_any_link(
    ada: Path, run: Any, aws_env: dict[str, str], s3_store: Store
) -> None:
    client = s3(s3_store)
    client.create_bucket(Bucket="open-shares")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws:s3:::open-shares/*"],
            }
        ],
    }
    client.put_bucket_policy(Bucket="open-shares", Policy=json.dumps(policy))
    result = run("share", ada, extra=aws_env | {"FOLLOWUP_BUCKET": "open-shares"})
    assert result.exit_code == 1
    assert result.output.startswith("error: self-test: ")
    assert "is publicly readable (HTTP 206 without a signature); make bucket open-shares " in (
        result.output
    )
    assert "http" not in result.output.replace("(HTTP", "")  # no link was printed
    assert bucket_keys(s3_store, "open-shares") == set()  # and nothing stays behind


def test_objects_are_encrypted_and_owned_by_the_uploader_alone(
    shared: dict[str, Any], s3_store: Store
) -> None:
    key = urlsplit(link(shared, "deck")).path.split("/", 2)[2]
    client = s3(s3_store)
    assert client.head_object(Bucket=s3_store.bucket, Key=key)["ServerSideEncryption"] == "AES256"
    grants = client.get_object_acl(Bucket=s3_store.bucket, Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all(g["Grantee"]["Type"] == "CanonicalUser" for g in grants)


def test_large_files_go_in_parts_and_are_verified(tmp_path: Path, s3_store: Store) -> None:
    from builder.share.target import local_target
    from builder.share.upload import PART_SIZE, Upload, Uploader

    big = tmp_path / "big.mp4"
    big.write_bytes(bytes(range(256)) * (PART_SIZE * 2 // 256 + 1000))
    target = local_target(s3_store.home.parent)
    sent: list[int] = []
    uploader = Uploader(target, sent.append)
    uploader.upload(Upload("test/big.mp4", "video/mp4", "big.mp4", path=big))
    head = s3(s3_store).head_object(Bucket=s3_store.bucket, Key="test/big.mp4")
    assert head["ContentLength"] == big.stat().st_size
    assert str(head["ETag"]).strip('"').endswith("-3")  # three parts, the ETag matched
    assert sum(sent) == big.stat().st_size
    assert uploader.remove_all() == []
    assert "test/big.mp4" not in bucket_keys(s3_store)


def test_ctrl_c_during_the_upload_leaves_nothing_in_the_bucket(ada: Path, s3_store: Store) -> None:
    from builder.context import Options, ShareOptions
    from builder.pipeline import from_folder, run_steps

    before = bucket_keys(s3_store)
    calls: list[str] = []

    def interrupt(what: str, fraction: float) -> None:
        calls.append(what)
        if len(calls) == 2:  # some files are up, others not
            raise KeyboardInterrupt

    options = Options(share=ShareOptions(data_dir=s3_store.home.parent))
    with pytest.raises(KeyboardInterrupt):
        run_steps(from_folder(ada), ["share"], options, interrupt)
    assert len(calls) >= 2
    assert bucket_keys(s3_store) == before


def test_the_pitch_share_block_is_checked_where_it_stands(tmp_path: Path, run: Any) -> None:
    shutil.copytree(EXAMPLES / "ada", tmp_path / "ada")
    pitch = tmp_path / "ada" / "pitch.yaml"
    text = pitch.read_text().replace(
        "closing:", "share:\n  bucket: My_Bucket\n  expires: 8d\nclosing:", 1
    )
    pitch.write_text(text)
    line = text.splitlines().index("share:") + 2
    result = run("check", pitch)
    assert result.exit_code == 1
    assert (
        f"error: pitch.yaml:{line}:3: share.bucket: bucket 'My_Bucket' has capitals; "
        "S3 bucket names are lowercase"
    ) in result.output
    assert (
        f"error: pitch.yaml:{line + 1}:3: share.expires: '8d' is longer than 7d, the most a "
        "private link can live"
    ) in result.output


def test_the_pitch_share_block_sets_the_expiry(ada: Path, run: Any) -> None:
    pitch = ada.parent / "ada" / "pitch.yaml"
    original = pitch.read_text()
    try:
        pitch.write_text(original.replace("closing:", "share:\n  expires: 36h\nclosing:", 1))
        result = run("share", ada, "--json")
        assert result.exit_code == 0, result.output
        assert "X-Amz-Expires=129600" in link(json.loads(result.stdout), "site")
        result = run("share", ada, "--json", "--expires", "2h")  # the command line wins
        assert "X-Amz-Expires=7200" in link(json.loads(result.stdout), "site")
    finally:
        pitch.write_text(original)


def test_an_upload_is_checked_against_the_stores_answer(tmp_path: Path, s3_store: Store) -> None:
    from builder.share.target import local_target
    from builder.share.upload import Upload, Uploader, verify

    item = Upload("test/small.vtt", "text/vtt", "video.vtt", body=b"WEBVTT\n")
    verify(item, "5d41402abc4b2a76b9719d911017c592", "5d41402abc4b2a76b9719d911017c592")
    with pytest.raises(ShareError) as caught:
        verify(item, "5d41402abc4b2a76b9719d911017c592", "0000")
    assert str(caught.value) == (
        "upload of video.vtt failed: the store answered ETag 0000, not the "
        "5d41402abc4b2a76b9719d911017c592 of the 7 bytes sent"
    )

    class Lying(Uploader):
        """A store whose answer names other bytes than the ones sent."""

        def _send(self, item: Upload) -> tuple[str, str]:
            sent, _ = super()._send(item)
            return sent, "0" * 32

    uploader = Lying(local_target(s3_store.home.parent))
    refused = r"^upload of video\.vtt failed: the store answered ETag 0{32}, not "
    with pytest.raises(ShareError, match=refused):
        uploader.upload(item)
    assert uploader.remove_all() == []
    assert "test/small.vtt" not in bucket_keys(s3_store)


def test_an_upload_whose_answer_was_lost_is_removed(s3_store: Store) -> None:
    from botocore.exceptions import EndpointConnectionError

    from builder.share.target import local_target
    from builder.share.upload import Upload, Uploader

    class Dropped(Uploader):
        """The store keeps the object, but its answer never arrives (a killed store, a
        dropped connection): the object is there, the client only sees an error."""

        def _encrypted(self, method: Any, args: dict[str, Any]) -> Any:
            super()._encrypted(method, args)
            raise EndpointConnectionError(endpoint_url=s3_store.endpoint)

    uploader = Dropped(local_target(s3_store.home.parent))
    item = Upload("test/lost.vtt", "text/vtt", "video.vtt", body=b"WEBVTT\n")
    with pytest.raises(ShareError, match=r"^upload of video\.vtt failed: "):
        uploader.upload(item)
    assert "test/lost.vtt" in bucket_keys(s3_store)  # what the failed share would leave
    assert uploader.remove_all() == []
    assert "test/lost.vtt" not in bucket_keys(s3_store)


def test_a_proxy_in_the_environment_is_not_used_for_the_local_store(
    ada: Path, env: dict[str, str], s3_store: Store
) -> None:
    # A proxy setting that reaches nothing (port 9 on this machine: discard, nobody
    # listens). The local store is on this machine: uploads, self-test and revoke's proof
    # must go to it directly, never to a proxy (which would also see the signed links).
    proxy = "http://127.0.0.1:9"
    names = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
    proxied = os.environ | env | dict.fromkeys(names, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        proxied.pop(name, None)
    shared = build_in(proxied, "share", ada, "--json")
    assert shared.returncode == 0, shared.stderr
    made = json.loads(shared.stdout)
    assert fetch(link(made, "site"), {"Range": "bytes=0-0"})[0] == 206
    revoked = build_in(proxied, "revoke", made["links"][0]["share_id"])
    assert revoked.returncode == 0, revoked.stderr
    assert fetch(link(made, "site"))[0] in (403, 404)


def test_the_local_store_needs_nothing_from_the_aws_configuration(
    ada: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # A profile that does not exist and config files that do not parse: a bucket's share
    # must refuse them (one line), the local store has no use for them.
    broken = tmp_path / "config"
    broken.write_text("[default\nregion = eu-central-1\n")
    aws = {"AWS_PROFILE": "no-such-profile", "AWS_CONFIG_FILE": str(broken)}
    aws["AWS_SHARED_CREDENTIALS_FILE"] = str(broken)
    result = build_in(os.environ | env | aws, "share", ada, "--json")
    assert result.returncode == 0, result.stderr
    made = json.loads(result.stdout)
    assert fetch(link(made, "site"), {"Range": "bytes=0-0"})[0] == 206
    refused = build_in(os.environ | env | aws, "share", ada, "--bucket", "my-bucket")
    assert refused.returncode == 1
    assert refused.stderr == f"error: bucket my-bucket: Unable to parse config file: {broken}\n"
    aws["AWS_CONFIG_FILE"] = aws["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    refused = build_in(os.environ | env | aws, "share", ada, "--bucket", "my-bucket")
    assert refused.returncode == 1
    assert refused.stderr == (
        "error: bucket my-bucket: the AWS profile 'no-such-profile' does not exist (AWS_PROFILE)\n"
    )


def build_in(environment: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Return the finished run of `build` with *args* in a process of its own with
    *environment* (boto3 and urllib read theirs once per process)."""
    command = [sys.executable, "-m", "builder", *map(str, args)]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)


def test_a_store_out_of_reach_is_named_with_the_cause_alone() -> None:
    from builder.share.links import http_status

    with pytest.raises(ShareError) as caught:
        http_status("http://127.0.0.1:9/bucket/key", local=True)  # nobody listens on 9
    assert str(caught.value) == "self-test: cannot reach 127.0.0.1:9: Connection refused"


def test_a_stop_after_a_change_never_says_nothing_was_changed(
    ada: Path, run: Any, monkeypatch: Any
) -> None:
    import signal

    from builder.cli import report
    from builder.interrupts import Interrupted
    from builder.share import manage

    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise Interrupted(signal.SIGINT)

    # Revoke stopped half-way: some files may be gone ("nothing was changed" was false).
    monkeypatch.setattr(manage, "revoke", stopped)
    result = run("revoke", "abc123")
    assert result.exit_code == 130
    assert result.stderr == (
        "interrupted; the files of abc123 may be partly deleted: run build revoke abc123 again\n"
    )
    # A share made and recorded, stopped while its links were being printed.
    monkeypatch.setattr(report, "print_build", stopped)
    result = run("share", ada)
    assert result.exit_code == 130
    assert result.stderr == "interrupted; the share was made: build links shows its links\n"
