"""The command line: one clear line for user errors, starter files, theme list, schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_invalid_pitch_is_one_line_per_problem_no_traceback(example: Any, tmp_path: Path) -> None:
    pitch = example("ada")
    pitch.write_text(pitch.read_text().replace("company: The Daily Muse", "compnay: X"))
    out = tmp_path / "out"
    done = run("deck", str(pitch), "-o", str(out))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "error: pitch.yaml:13:1: interview.company: is required",
        "error: pitch.yaml:14:3: interview.compnay: unknown field 'compnay'; "
        "did you mean 'company'?",
    ]
    assert not out.exists()


def test_missing_pitch_file(tmp_path: Path) -> None:
    done = run("deck", str(tmp_path / "nope.yaml"))
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: {tmp_path / 'nope.yaml'}: file not found"


def test_unknown_interviewer_names_the_choices(example: Any, cli: Any) -> None:
    result = cli("deck", example("jonas"), "--for", "Paula")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: --for Paula: no such interviewer in pitch.yaml; "
        "the pitch names: Petra Schulz, Mehmet Öztürk"
    )


def test_unknown_theme(example: Any, cli: Any) -> None:
    result = cli("deck", example("ada"), "--theme", "neon")
    assert result.exit_code == 1
    assert "error: theme 'neon' not found; choose one of: classic, midnight" in result.output


def test_init_writes_a_starter_that_check_understands(tmp_path: Path, cli: Any) -> None:
    result = cli("init", tmp_path / "new")
    assert result.exit_code == 0
    starter = tmp_path / "new" / "pitch.yaml"
    assert starter.is_file()
    check = cli("check", starter)
    assert check.exit_code == 1  # every <...> is still to be filled in
    assert "candidate.name: left-over placeholder '<your name>'" in check.output
    again = cli("init", tmp_path / "new")
    assert again.exit_code == 1
    assert "already exists; not overwriting it" in again.output


def test_themes_lists_both(cli: Any) -> None:
    result = cli("themes")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == ["classic", "midnight"]


def test_schema_is_json(cli: Any) -> None:
    result = cli("schema")
    schema = json.loads(result.output)
    assert schema["title"] == "pitch.yaml"
    assert "candidate" in schema["required"]


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from builder.cli import main; "
        "CliRunner().invoke(main, ['--help']); "
        "heavy = ('pptx', 'mkdocs', 'PIL', 'yaml', 'ruamel', 'builder.pitch', 'rich'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def _in_terminal(*args: str) -> str:
    """Run ``python -m builder ARGS`` with a pseudo-terminal as stdout and stderr."""
    import os
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "builder", *args],
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the program ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=300) == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_in_a_terminal_but_not_with_json(example: Any, tmp_path: Path) -> None:
    pitch = str(example("ada"))
    shown = _in_terminal("video", pitch, "-o", str(tmp_path / "a"), "--size", "720p")
    assert "video sarah-kim" in shown and "━" in shown  # rich's bar, drawn while encoding
    quiet = _in_terminal("video", pitch, "-o", str(tmp_path / "b"), "--size", "720p", "--json")
    assert "━" not in quiet
    assert json.loads(quiet)["outputs"][0]["files"]["video"].endswith("video.mp4")


def test_a_folder_holding_pitch_yaml_is_accepted_as_pitch(example: Any, tmp_path: Path) -> None:
    folder = example("ada").parent
    done = run("check", str(folder), "--now", "2026-11-24T20:00+01:00")
    assert done.returncode == 0, done.stderr
    assert "check passed" in done.stdout
    made = run("site", str(folder), "-o", str(tmp_path / "out"))
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "out" / "site" / "index.html").is_file()


def test_a_folder_without_pitch_yaml_is_one_line(tmp_path: Path) -> None:
    for command in ("check", "deck"):
        done = run(command, str(tmp_path))
        assert done.returncode == 1
        assert done.stderr.splitlines() == [
            f"error: {tmp_path} is a folder without a pitch.yaml; name the pitch file, "
            f"or run: build init {tmp_path}"
        ]


def test_a_build_folder_is_no_pitch_but_email_takes_it(example: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("email", str(example("ada")), "-o", str(out)).returncode == 0
    (out / "email.txt").unlink()
    again = run("email", str(out))  # as `build share OUT` does: the record names the pitch
    assert again.returncode == 0, again.stderr
    assert "Dear Sarah," in (out / "email.txt").read_text(encoding="utf-8")
    # Elsewhere a build folder is refused, and never with "run: build init" inside it.
    done = run("site", str(out))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: {out} is a build folder, not a pitch; name the pitch file (build email and "
        "build share also take the build folder)"
    ]


def test_a_build_of_someone_since_renamed_is_named(example: Any, tmp_path: Path) -> None:
    pitch, out = example("ada"), tmp_path / "out"
    assert run("email", str(pitch), "-o", str(out)).returncode == 0
    pitch.write_text(pitch.read_text(encoding="utf-8").replace("Sarah Kim", "Sara Kimm"), "utf-8")
    done = run("email", str(out))
    assert done.returncode == 1  # it said "holds no build for --for None"
    assert done.stderr.splitlines() == [
        f"error: {out}: was built for Sarah Kim, no longer in pitch.yaml; build it again"
    ]


def test_out_pointing_at_a_file_is_one_line(example: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    done = run("deck", str(example("ada")), "-o", str(blocker))
    assert done.returncode == 1
    assert done.stderr == f"error: {blocker} is a file, not a folder; choose another -o\n"
    assert blocker.read_text() == "mine"
    assert run("init", str(blocker)).stderr == (
        f"error: {blocker} is a file; give the folder to write pitch.yaml into\n"
    )
    assert run("share", str(blocker)).stderr == (
        f"error: {blocker} is a file; give the folder a build wrote into\n"
    )


def test_for_naming_two_people_is_one_line_naming_both(example: Any, tmp_path: Path) -> None:
    pitch = example("ada")
    two = "    - name: Dr. Anna Beispiel\n    - name: Anna Schmidt\n"
    pitch.write_text(pitch.read_text().replace("    - name: Sarah Kim\n", two))
    done = run("deck", str(pitch), "--for", "anna", "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: --for anna: names 2 interviewers, Dr. Anna Beispiel (dr-anna-beispiel) and "
        "Anna Schmidt (anna-schmidt); give the full name or the folder name"
    ]
    assert not (tmp_path / "out").exists()


def test_spans_are_said_the_way_people_say_them() -> None:
    from datetime import UTC, datetime, timedelta

    from builder.cli.report import when

    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    said = {d: when(now + d, now).split("(")[1] for d in (
        timedelta(seconds=1), timedelta(hours=36), timedelta(hours=1), timedelta(days=7)
    )}  # fmt: skip
    assert list(said.values()) == ["in 1 second)", "in 36 hours)", "in 1 hour)", "in 7 days)"]


def test_a_suggested_command_pastes_back_as_it_is(example: Any, tmp_path: Path) -> None:
    out = tmp_path / "my out"  # a space: unquoted, the hint named two folders
    done = run("site", str(example("ada")), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert f"private link: build share '{out}' (or build again with --share)" in done.stdout


def test_share_options_without_share_are_refused(example: Any, tmp_path: Path) -> None:
    # Ignored, they let a user think the link lives 9 days, or went to their bucket.
    for extra in (["--expires", "9d"], ["--bucket", "team", "--include-pptx"]):
        done = run("deck", str(example("ada")), "-o", str(tmp_path / "out"), *extra)
        assert done.returncode == 1
        flags = "--expires" if "--expires" in extra else "--include-pptx and --bucket"
        assert done.stderr == f"error: {flags}: only with --share (or later: build share OUT_DIR)\n"
    assert not (tmp_path / "out").exists()  # refused before anything was built
