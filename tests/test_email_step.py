"""`build email` and `build all --share`: one draft per interviewer, carrying their own link."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from builder.cli import main
from builder.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def run(s3_store: Store) -> Any:
    env = {"FOLLOWUP_DATA_DIR": str(s3_store.home.parent), "FOLLOWUP_BUCKET": ""}

    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)

    return invoke


def copy(name: str, tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / name, tmp_path / name)
    return tmp_path / name / "pitch.yaml"


def parse(path: Path) -> Any:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_build_all_share_ends_with_the_message_and_its_link(tmp_path: Path, run: Any) -> None:
    out = tmp_path / "out"
    result = run("all", copy("ada", tmp_path), "-o", out, "--share", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    site = next(row["url"] for row in report["links"] if row["output"] == "site")
    [mail] = report["emails"]
    assert mail["to"] == "Sarah Kim <sarah.kim@dailymuse.example>"
    assert site in mail["text"].splitlines()  # the long link stands alone on its line
    assert mail["message"].splitlines()[-1] == site
    assert any("works only on this computer" in w for w in mail["warnings"])
    draft = parse(out / "email.eml")
    assert draft["X-Unsent"] == "1"
    html = draft.get_body(preferencelist=("html",)).get_content()
    assert site.replace("&", "&amp;") in html
    picture = next(part for part in draft.walk() if part.get_content_type() == "image/gif")
    assert f"cid:{picture['Content-ID'].strip('<>')}" in html
    assert (out / "preview.gif").read_bytes() == picture.get_content()
    assert json.loads((out / "build.json").read_text())["outputs"] == [
        "deck", "video", "site", "email"
    ]  # fmt: skip


def test_email_takes_the_newest_share_of_each_interviewer(tmp_path: Path, run: Any) -> None:
    pitch, out = copy("jonas", tmp_path), tmp_path / "out"
    shared = run("deck", pitch, "-o", out, "--share", "--json")
    assert shared.exit_code == 0, shared.output
    links = {row["interviewer"]: row["url"] for row in json.loads(shared.stdout)["links"]}
    assert len(set(links.values())) == 2  # one private link per person
    result = run("email", pitch, "-o", out)
    assert result.exit_code == 0, result.output
    for person, slug in (("Petra Schulz", "petra-schulz"), ("Mehmet Öztürk", "mehmet-oeztuerk")):
        text = (out / slug / "email.txt").read_text()
        assert links[person] in text.splitlines()
        other = next(url for who, url in links.items() if who != person)
        assert other not in text
    assert "Liebe Frau Schulz," in (out / "petra-schulz" / "email.txt").read_text()
    assert "Lieber Herr Öztürk," in (out / "mehmet-oeztuerk" / "email.txt").read_text()
    assert "nur auf diesem Computer" in result.stderr or "only on this computer" in result.stderr


def test_email_with_a_given_link_and_without_any(tmp_path: Path, run: Any) -> None:
    pitch, out = copy("ada", tmp_path), tmp_path / "out"
    given = "https://files.example.com/ada/index.html?X-Amz-Signature=abc"
    result = run("email", pitch, "-o", out, "--link", given, "--json")
    assert result.exit_code == 0, result.output
    assert given in json.loads(result.stdout)["emails"][0]["text"].splitlines()
    shown = run("email", pitch, "-o", out, "--link", given)
    # The deadline in the offset the pitch gave its interview in, as `build check` shows it.
    assert "send by 2026-11-25 15:00 +0100 (" in shown.stdout
    # A link of the user's own: when it ends is not ours to say (it said "works until" a
    # date seven days on, made up).
    for name in ("email.txt", "message.txt"):
        written = (out / name).read_text(encoding="utf-8")
        assert given in written and "until" not in written, name
    assert "private page.\nBest regards" in (out / "message.txt").read_text(encoding="utf-8")
    result = run("email", pitch, "-o", tmp_path / "none", "--json")
    assert result.exit_code == 0, result.output
    text = json.loads(result.stdout)["emails"][0]["text"]
    assert "http" not in text.split("Best regards")[0]  # no link, no attachment: an offer
    draft = parse(tmp_path / "none" / "email.eml")
    assert not [p for p in draft.walk() if p.get_content_maintype() == "image"]


def test_what_build_check_refuses_is_said_where_the_drafts_are_made(
    tmp_path: Path, run: Any
) -> None:
    pitch, out = copy("ada", tmp_path), tmp_path / "out"
    text = pitch.read_text(encoding="utf-8")
    pitch.write_text(text.replace("thanks: >-\n", "thanks: >-\n  Hi {name}.\n", 1), "utf-8")
    result = run("email", pitch, "-o", out)
    assert result.exit_code == 0, result.output  # written: the user may fix it by hand
    assert (
        "warning: before you send: pitch.yaml:23:1: thanks: left-over placeholder '{name}' "
        "(it would be in the email)"
    ) in result.stderr.splitlines()
    assert "{name}" in (out / "email.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("links", "message"),
    [
        (["ftp://x"], "error: --link: 'ftp://x' is not an http(s) address"),
        (
            ["https://www.linkedin.com/company/nordlicht-logistik/posts/"],
            "error: --link: https://www.linkedin.com/company/nordlicht-logistik/posts/ is a "
            "public social-media page; thank the interviewer directly, with a private link",
        ),
        (
            ["https://a.example/1", "https://a.example/2", "https://a.example/3"],
            "error: --link: give one link, or one per interviewer (2)",
        ),
    ],
)
def test_bad_links_are_one_line(tmp_path: Path, run: Any, links: list[str], message: str) -> None:
    args = [a for url in links for a in ("--link", url)]
    result = run("email", copy("jonas", tmp_path), "-o", tmp_path / "out", *args)
    assert result.exit_code == 1
    assert result.output.strip() == message
    assert not (tmp_path / "out").exists()


def test_check_warns_that_a_local_link_must_not_be_sent(tmp_path: Path, run: Any) -> None:
    pitch = copy("ada", tmp_path)
    assert run("deck", pitch, "-o", tmp_path / "out", "--share").exit_code == 0
    result = run("check", pitch)
    assert (
        "warning: email to Sarah Kim: its link is from the local store and works only on this "
        "computer; do not send it before sharing to a real bucket"
    ) in result.output
