"""``build video``: the storyboard as a short MP4 with captions, a poster and a preview GIF.

The package's parts: :mod:`.recording` checks and measures the candidate's recording,
:mod:`.timeline` decides when each scene shows, :mod:`.stills` writes each slide once (and
the caption layer) with the lists that time them, :mod:`.encode` builds the one ffmpeg
command, :mod:`.ffmpeg` runs it, :mod:`.preview` makes the poster and the GIF. Captions
come from :mod:`builder.captions`, pictures from :mod:`builder.frames`.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from builder.artifacts import owned_by
from builder.captions import Cue, from_script, load, shifted, to_vtt
from builder.context import WriteContext
from builder.errors import MediaError, OutputError
from builder.frames import CAPTION_SPACE, SIZES, Place, caption_overlay, draw_scene
from builder.glyphs import caption_problem, theme_chars
from builder.schedule import run_branches
from builder.storyboard import Scene, Storyboard
from builder.theme import Theme
from builder.video import encode, ffmpeg, preview, segments, splice, stills, timeline, transcode
from builder.video.recording import Recording, inspect
from builder.video.timeline import FRAME, TICKS, Timeline

# Shares of the progress bar: drawing the slides, then encoding; the rest is the preview.
DRAW, ENCODE = 0.25, 0.65
LANES = 2  # a panel's videos written at once (on two cores: more measured no faster)


# Every name this output may write into an interviewer's folder (from the one list); one
# it did not make this time is removed there by the pipeline.
OWNS = owned_by("video")


def write_all(
    jobs: Sequence[tuple[Storyboard, WriteContext]], theme: Theme
) -> list[dict[str, Path]]:
    """Write every job's video (as :func:`write` does); return their paths, in order.

    For a panel of slides-only videos the scenes the interviewers share are encoded once
    (see :mod:`.segments`); a panel's recording is measured once and, where the copy path
    cannot take it as it is, encoded once for every video to copy (see :mod:`.transcode`).
    One interviewer, or burned-in captions, take the one-command path of :func:`write`,
    which is cheaper for a single video.
    """
    shareable = [
        (board.video is None or board.video.recording is None) and not ctx.options.burn_captions
        for board, ctx in jobs
    ]
    if len(jobs) < 2 or not all(shareable):
        # The shared folder lives in the first interviewer's stage, so a stopped build's
        # clean-up removes it with the stage.
        with jobs[0][1].scratch("video-recording") as folder:
            recording, copied = _shared_recording(jobs, theme, folder)
            if not copied:  # each video a whole encode: two at once would only contend
                return [write(board, theme, ctx, recording=recording) for board, ctx in jobs]
            # Copying videos are light (a few encoded seconds, the sound in one thread):
            # two at once keep both cores busy.
            return _in_lanes(
                jobs, lambda i: write(jobs[i][0], theme, jobs[i][1], recording=recording)
            )
    with jobs[0][1].scratch("video-parts") as folder:
        store = segments.Store(folder)
        size = SIZES[jobs[0][1].options.size]
        starts = segments.runs(
            [(timeline.plan(board, None), _keys(board, size, 0.0)) for board, _ in jobs]
        )
        # Two videos at once: while one draws its slides (Python, one core at a time), the
        # other's segments encode; a segment both need is encoded by the first to ask.
        return _in_lanes(
            jobs, lambda i: write(jobs[i][0], theme, jobs[i][1], store=store, runs=starts[i])
        )


def _in_lanes(
    jobs: Sequence[tuple[Storyboard, WriteContext]],
    write_one: Callable[[int], dict[str, Path]],
) -> list[dict[str, Path]]:
    """Run *write_one* for the index of every job, :data:`LANES` at a time; return its
    results, in order.

    A failure in one lane stops the other, as between the deck and the video.
    """
    written: dict[int, dict[str, Path]] = {}

    def lane(first: int) -> Callable[[], None]:
        def run() -> None:
            for index in range(first, len(jobs), LANES):
                written[index] = write_one(index)

        return run

    run_branches([lane(k) for k in range(min(LANES, len(jobs)))], jobs[0][1].cancelled)
    return [written[index] for index in range(len(jobs))]


def write(
    board: Storyboard,
    theme: Theme,
    ctx: WriteContext,
    *,
    store: segments.Store | None = None,
    runs: Sequence[int] | None = None,
    recording: Recording | None = None,
) -> dict[str, Path]:
    """Write video.mp4, poster.png, preview.gif and (given a script or captions) video.vtt
    for *board* into ``ctx.stage``; return their paths by kind.

    With *store* (slides only), the video is joined from segments shared with the run's
    other interviewers, starting at the slots *runs* gives (see :func:`.segments.runs`).
    With *recording*, that is the pitch's recording, measured already (and perhaps encoded
    once for the whole panel: see :func:`_shared_recording`).

    Raises :class:`MediaError` for an unusable recording or caption file and
    :class:`OutputError` when ffmpeg is missing or fails; the pipeline then discards the
    stage, so nothing half-written reaches the output folder.
    """
    label = f"video {board.interviewer.slug}"
    ctx.report(label, 0.0)
    ffmpeg.ffmpeg()  # fail before any drawing when there is no ffmpeg
    # Drawing lets go of the GIL often enough that two threads draw the slides faster; the
    # preview GIF and the poster are made while ffmpeg encodes. The recording is measured
    # (ffmpeg reads it whole: most of a second for a minute of it) while the slides are
    # drawn, which need nothing from it; but captions to burn in need room on the slides,
    # and whether there are any depends on its timing.
    with ThreadPoolExecutor(max_workers=2) as pool:
        if ctx.options.burn_captions:
            timed = _timed(board, ctx, recording or _recording(board, ctx))
            _refuse_undrawable_captions(board, theme, timed[2])
            drawn = _draw(board, theme, ctx, bool(timed[2]), pool, store)
        else:
            drawn = _draw(board, theme, ctx, False, pool, store)
            # Here, not in a thread: a stop or an error ends its ffmpeg (see ffmpeg.run).
            timed = _timed(board, ctx, recording or _recording(board, ctx))
        scenes, saved = drawn()
        _warn_cut(board, ctx)
        recording, plan, cues = timed
        burned = cues if ctx.options.burn_captions else []
        ctx.drawn.set()  # from here on ffmpeg does most of the work (see schedule.py)
        gif = pool.submit(_teaser, board, theme, ctx)
        # A copy: Pillow keeps a save's settings on the image object, so two threads must
        # never save the same image at once. (The video opens on this very picture.)
        poster = pool.submit(preview.write_poster, scenes[0].copy(), ctx.stage / "poster.png")
        video = _encode(
            board, theme, ctx, (plan, recording), (scenes, saved), burned, (store, runs)
        )
        files = {"video": video, "poster": poster.result(), "preview": gif.result()}
    if cues:
        files["captions"] = ctx.stage / "video.vtt"
        files["captions"].write_text(to_vtt(cues), encoding="utf-8")
    ctx.report(label, 1.0)
    return files


def _warn_cut(board: Storyboard, ctx: WriteContext) -> None:
    """Warn about each text of *board* that its frames had to cut (…) to fit."""
    from builder.frames.text import cut_texts

    texts = [t for s in board.scenes for t in (s.title, s.kicker, s.text, *s.bullets) if t]
    for text in cut_texts(texts):
        shown = text if len(text) <= 60 else text[:57].rstrip() + "…"
        warning = (
            f'video: "{shown}" is longer than its place in the video and was cut (…); '
            "shorten it in the pitch"
        )
        if warning not in ctx.warnings:
            ctx.warnings.append(warning)


def _shared_recording(
    jobs: Sequence[tuple[Storyboard, WriteContext]], theme: Theme, folder: Path
) -> tuple[Recording | None, bool]:
    """Return the panel's recording (None without one), its picture encoded once into
    *folder* when every video would otherwise encode it (see :mod:`.transcode`), and
    whether the videos copy it; for one interviewer, (None, False): write measures it.

    The recording is the pitch's, the same for every interviewer: measured once here.
    """
    board, ctx = jobs[0]
    if len(jobs) < 2:
        return None, False
    recording = _recording(board, ctx)
    if recording is None or recording.kind != "clip" or ctx.options.burn_captions:
        return recording, False
    size = SIZES[ctx.options.size]
    clip = timeline.plan(board, recording).clip
    assert clip is not None  # a video recording always has its slot
    frames = clip.length // FRAME
    if isinstance(splice.decide(recording, size, frames, False), splice.Splice):
        return recording, True  # copied into each video as it is
    what = _where(board, "video.recording")
    background = theme.colors.background
    shown = functools.partial(ctx.report, "video recording")  # raises Cancelled when stopped
    made = transcode.copyable(recording, size, background, frames, folder, what, shown)
    return (made, True) if made is not None else (recording, False)


def _timed(
    board: Storyboard, ctx: WriteContext, recording: Recording | None
) -> tuple[Recording | None, Timeline, list[Cue]]:
    """Return *recording*, the video's timeline with it, and the captions on that timeline."""
    plan = timeline.plan(board, recording)
    return recording, plan, _cues(board, recording, plan, ctx)


def _teaser(board: Storyboard, theme: Theme, ctx: WriteContext) -> Path:
    """Write preview.gif once the run's decks are written (see WriteContext.decks_written);
    return its path.

    Both are Python: at once, they took turns in one interpreter, and a panel's deck (which
    its LibreOffice run makes the longest path) waited. After it, the GIF is made while
    LibreOffice and ffmpeg work in processes of their own.
    """
    ctx.wait_for(ctx.decks_written, f"video {board.interviewer.slug}")
    return preview.write_gif(board, theme, ctx.stage / "preview.gif")


def _draw(
    board: Storyboard,
    theme: Theme,
    ctx: WriteContext,
    burn: bool,
    pool: ThreadPoolExecutor,
    store: segments.Store | None,
) -> Callable[[], tuple[list[Image.Image], dict[int, Path]]]:
    """Start drawing every scene at the video's size (leaving room for captions to burn
    in) in *pool*; return the function that waits for them and gives the pictures and the
    files already written for them, by index.

    With *store*, the pictures are the ones the run's videos share (written into the
    store's folder): a scene the panel's interviewers have in common is drawn once.
    """
    size, space = SIZES[ctx.options.size], CAPTION_SPACE if burn else 0.0

    def one(scene: Scene) -> tuple[Image.Image, Path | None]:
        place = Place.of(scene, board)
        return draw_scene(scene, place, theme, size, caption_space=space), None

    def shared(scene: Scene) -> tuple[Image.Image, Path | None]:
        assert store is not None
        # Named after who drew it first (a slug is unique in the run).
        name = f"{board.interviewer.slug}-scene-{board.scenes.index(scene):02d}"
        picture = store.picture(_key(scene, board, size, space), lambda: one(scene)[0], name)
        return picture.image, picture.path

    drawing = pool.map(one if store is None else shared, board.scenes)  # starts them all

    def collected() -> tuple[list[Image.Image], dict[int, Path]]:
        scenes: list[Image.Image] = []
        saved: dict[int, Path] = {}
        for index, (image, path) in enumerate(drawing):
            scenes.append(image)
            if path is not None:
                saved[index] = path
            ctx.report(f"video {board.interviewer.slug}", DRAW * len(scenes) / len(board.scenes))
        return scenes, saved

    return collected


def _key(scene: Scene, board: Storyboard, size: tuple[int, int], space: float) -> Hashable:
    """Return what decides the picture of *scene* (a :meth:`.segments.Store.picture` key)."""
    return (scene, Place.of(scene, board), size, space)


def _keys(board: Storyboard, size: tuple[int, int], space: float) -> list[Hashable]:
    return [_key(scene, board, size, space) for scene in board.scenes]


def _encode(
    board: Storyboard,
    theme: Theme,
    ctx: WriteContext,
    timed: tuple[Timeline, Recording | None],
    drawn: tuple[list[Image.Image], dict[int, Path]],
    burned: list[Cue],
    shared_by: tuple[segments.Store | None, Sequence[int] | None],
) -> Path:
    """Write the pictures ffmpeg reads into a scratch folder of the stage (unless the
    store has them), run the encode (or, with a store in *shared_by*, the segments it
    lacks, starting where *shared_by* says, and the join), and return the MP4 (the
    scratch folder is removed whatever happens)."""
    (plan, recording), (store, starts) = timed, shared_by
    label = f"video {board.interviewer.slug}"
    what = f"{board.source.name}: video for {board.interviewer.name}"
    scenes = drawn[0]
    size = scenes[0].size
    overlays = {i: caption_overlay(cue.text, theme, size) for i, cue in enumerate(burned)}
    work = Path(tempfile.mkdtemp(prefix=".video-", dir=ctx.stage))
    try:
        job = _job(board, theme, plan, recording, drawn, (burned, overlays), work)
        if store is not None:
            done = [0]

            def run(args: list[str]) -> None:
                # Progress by runs: the number of segments to encode is not known ahead.
                ffmpeg.run(args, what=what)
                done[0] += 1
                ctx.report(label, DRAW + ENCODE * min(1.0, done[0] / (len(plan.slots) + 1)))

            segments.make(job, store, work, run, starts)
            return job.output
        clip = plan.clip
        # The recording is copied untouched where its probe shows it joins cleanly (see
        # splice.py); otherwise everything is encoded in one command.
        joins = (
            splice.decide(recording, job.size, clip.length // FRAME, bool(burned))
            if clip is not None and ffmpeg.version(ffmpeg.ffmpeg()) >= CLIP_FFMPEG
            else "no video recording"
        )
        if not isinstance(joins, splice.Splice):
            ffmpeg.run(encode.command(job), what=what, total=plan.total / TICKS,
                       progress=_progress(ctx, label, 0, 1))  # fmt: skip
            return job.output
        parts, sound, join = splice.commands(job, joins, work)
        # The parts beside the sound: alone, the sound's encode (one thread) left a core
        # idle for as long as the parts took (measured on a 60 s clip: 1.9 s of 3.9 s).
        run_branches([
            lambda: ffmpeg.run(parts, what=what, total=plan.total / TICKS,
                               progress=_progress(ctx, label, 0, 2)),
            lambda: ffmpeg.run(sound, what=what),
        ], ctx.cancelled)  # fmt: skip
        ffmpeg.run(join, what=what, total=plan.total / TICKS, progress=_progress(ctx, label, 1, 2))
        # ffmpeg's sample entry lists only our parts' H.264 parameter sets; the
        # recording's must be listed there too.
        splice.finish(job.output)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return job.output


def _progress(ctx: WriteContext, label: str, number: int, runs: int) -> Callable[[float], None]:
    """Return the progress callback of ffmpeg run *number* of *runs* (an equal share each)."""
    return lambda done: ctx.report(label, DRAW + (number + done) / runs * ENCODE)


def _refuse_undrawable_captions(board: Storyboard, theme: Theme, cues: Sequence[Cue]) -> None:
    """Raise :class:`MediaError` when a caption file's text, to be drawn into the frames,
    holds a character the theme and the fallback font cannot draw (it would show as a box).

    Captions from ``video.script`` are pitch text, checked with the rest of the pitch.
    """
    if board.video is None or board.video.captions is None:
        return
    problem = caption_problem((cue.text for cue in cues), theme_chars(theme))
    if problem is not None:
        where = _where(board, "video.captions")
        raise MediaError(f"{where}: {board.video.captions.name}: {problem}")


def _where(board: Storyboard, field: str) -> str:
    return f"{board.source.name}: {field}"


# Composing a recording between slides needs a current ffmpeg: 5.1's xfade never ends its
# stream there and the encode hangs (verified with Debian 12's ffmpeg 5.1).
CLIP_FFMPEG = (7, 0)


def _recording(board: Storyboard, ctx: WriteContext) -> Recording | None:
    if board.video is None or board.video.recording is None:
        return None
    where = _where(board, "video.recording")
    recording = inspect(board.video.recording, where, allow_long=ctx.options.allow_long)
    if recording.hdr:
        ctx.warnings.append(
            f"{where}: {recording.path.name} is HDR; its colours will look flat in the video. "
            "Record or export it in SDR (on iPhone: Settings > Camera > Formats, HDR Video off)"
        )
    exe = ffmpeg.ffmpeg()
    if recording.kind == "clip" and ffmpeg.version(exe) < CLIP_FFMPEG:
        major, minor = ffmpeg.version(exe)
        raise OutputError(
            f"{where}: a video recording needs ffmpeg 7 or newer, found {major}.{minor} "
            f"({exe}); run: pip install -U imageio-ffmpeg"
        )
    return recording


def _cues(
    board: Storyboard, recording: Recording | None, plan: Timeline, ctx: WriteContext
) -> list[Cue]:
    """Return the captions on the video's own clock: from the caption file or the script."""
    if board.video is None:
        return []
    total, clip = plan.total / TICKS, plan.clip
    offset = clip.start / TICKS if clip is not None else 0.0
    if board.video.captions is not None:
        # A caption file is timed against the recording (or, without one, the video).
        cues = load(board.video.captions, _where(board, "video.captions"))
        moved = shifted(cues, offset, end=total)
        if len(moved) < len(cues):
            ctx.warnings.append(
                f"{_where(board, 'video.captions')}: {len(cues) - len(moved)} captions fall "
                "after the end of the video and were left out"
            )
        return moved
    if board.video.script:
        if recording is None:
            return from_script(board.video.script, 0.5, total - 1.0)
        # Over the recording: from the first sound to the last, leaving out silence.
        first, last = recording.speech
        return from_script(board.video.script, offset + first, offset + last)
    if recording is not None and recording.has_audio:
        ctx.warnings.append(
            f"{_where(board, 'video.recording')}: no captions; add video.script or "
            "video.captions so the video also works with the sound off"
        )
    return []


def _job(
    board: Storyboard,
    theme: Theme,
    plan: Timeline,
    recording: Recording | None,
    drawn: tuple[list[Image.Image], dict[int, Path]],
    burn: tuple[list[Cue], dict[int, Image.Image]],
    work: Path,
) -> encode.Job:
    """Write the pictures the encode reads into *work* (all the scenes, but those saved
    already, by index, in *drawn*); return the encode job.

    *burn* holds the captions to draw into the video and their overlays (both empty for
    a clean video).
    """
    (scenes, saved), (cues, overlays) = drawn, burn
    frames = timeline.frames(plan, cues, since=plan.head)
    slides, pictures = stills.write(frames, scenes, work, saved)
    return encode.Job(
        output=work.parent / "video.mp4",
        size=scenes[0].size,
        background=theme.colors.background,
        timeline=plan,
        slides=slides,
        pictures=pictures,
        recording=recording,
        captions=stills.captions(cues, overlays, plan.total, work) if cues else None,
        frames=tuple(frames),
    )
