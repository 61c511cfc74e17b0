"""The message's parts, in words: chosen from the storyboard, kept within 150 words."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from builder.share.records import Link
from builder.storyboard import Storyboard
from builder.wording import Language, long_date, proper_nouns, run_on, say, say_to

MAX_WORDS = 150  # before the signature
MAX_MESSAGE = 300  # characters of a direct message, before the link's own line
MAX_POINTS = 2
MAX_VALUES = 2


@dataclass(frozen=True)
class Media:
    """What the link opens, said in words; ``url`` is None when there is no link yet."""

    made: str  # "I made a short video and a few slides for you"
    url: str | None
    label: str  # the link text that hides the long URL in HTML
    until: str  # "The link is private and works until ..."
    until_short: str  # the same for the direct message: the date only
    offer: str  # without a link: "I am happy to send them"


@dataclass(frozen=True)
class Parts:
    """One message, sentence by sentence; the text, the HTML and the DM all come from it."""

    greeting: str  # without the comma
    thanks: str
    points: tuple[str, ...]
    values: tuple[str, ...]
    media: Media
    closing: str
    signoff: str
    left_out: tuple[str, ...] = ()  # pitch fields dropped or shortened to stay short
    names: frozenset[str] = frozenset()  # proper nouns: they keep their capital mid-sentence
    company: str = ""  # named in the line on what the candidate would bring, if room

    def point_lines(self, lang: Language) -> tuple[str, tuple[str, ...]]:
        """Return the sentence on the points and the points listed under it (two or more)."""
        if len(self.points) == 1:
            point = _end(run_on(self.points[0], lang, self.names))
            return say("mail_point", lang, point=point), ()
        return say("mail_points", lang), tuple(_bare(p) for p in self.points)

    def value_line(self, lang: Language) -> str:
        """Return the one line on what the candidate would bring."""
        items = [run_on(_bare(v), lang, self.names) for v in self.values]
        joined = _end(f" {say('mail_and', lang)} ".join(items))
        if self.company:
            return say("mail_value", lang, company=self.company, values=joined)
        return say("mail_value_short", lang, values=joined)


def plan_parts(board: Storyboard, link: Link | None, video: bool) -> Parts:
    """Return the fullest message for *board* that keeps within :data:`MAX_WORDS` words."""
    lang, person = board.language, board.interviewer
    to = person.register
    title = board.scenes[0]
    closing_scene = next((s for s in board.scenes if s.kind == "closing"), None)
    discussed = next((s.bullets for s in board.scenes if s.kind == "discussed"), ())
    values = tuple(s.title for s in board.scenes if s.kind == "value")
    formal = person.greeting.lower().startswith("sehr geehrte") or (lang == "en" and to == "formal")
    parts = Parts(
        greeting=person.greeting,
        thanks=_opening(title.text, board) if title.text else _thanks(board, "mail_thanks"),
        points=discussed[:MAX_POINTS],
        values=values[:MAX_VALUES],
        media=media(board, link, video),
        closing=(closing_scene.text if closing_scene else "") or _next_step(board),
        signoff=say("mail_signoff_formal" if formal else "mail_signoff", lang),
        names=_names(board),
        company=board.company,
    )
    return _within_budget(parts, board)


def media(board: Storyboard, link: Link | None, video: bool) -> Media:
    """Return the sentences about the video, slides or page, with or without a link."""
    lang, to = board.language, board.interviewer.register
    output = link.output if link else "site"
    kind = {"site": "site_video" if video else "site", "video": "video"}.get(output, "deck")
    label_key = {"site_video": "mail_open_site_video", "site": "mail_open_site"}
    label = say(label_key.get(kind, "watch" if kind == "video" else "deck"), lang)
    if link is None:
        offer = say_to("mail_offer_video" if video else "mail_offer_deck", lang, to)
        return Media(made="", url=None, label=label, until="", until_short="", offer=offer)
    made = say_to(f"mail_made_{kind}", lang, to)
    if not link.ends_known:  # given with --link: no date we could promise
        return Media(made=made, url=link.url, label=label, until="", until_short="", offer="")
    moment = _local(link.expires_at, board.interview_date)
    return Media(
        made=made,
        url=link.url,
        label=label,
        until=say(
            "mail_until",
            lang,
            date=long_date(moment, lang),
            time=moment.strftime("%H:%M"),
            zone=_zone(moment),
        ),
        until_short=say("mail_dm_until", lang, date=long_date(moment, lang)),
        offer="",
    )


def body_lines(parts: Parts, board: Storyboard) -> list[str]:
    """Return the plain-text body up to and including the sign-off, one paragraph a block."""
    lang = board.language
    lead, listed = parts.point_lines(lang)
    media_block = (
        [f"{parts.media.made}:", parts.media.url, *filter(None, [parts.media.until])]
        if parts.media.url
        else [parts.media.offer]
    )
    return [
        f"{parts.greeting},",
        "",
        parts.thanks,
        "",
        lead,
        *(f"- {point}" for point in listed),
        "",
        parts.value_line(lang),
        "",
        *media_block,
        "",
        parts.closing,
        "",
        parts.signoff,
    ]


def count_words(parts: Parts, board: Storyboard) -> int:
    """Return the number of words before the signature (a URL counts as one)."""
    return len(" ".join(body_lines(parts, board)[:-1]).split())


def direct_message(parts: Parts, board: Storyboard) -> str:
    """Return the short message for LinkedIn or XING: at most 300 characters, then the link."""
    lang, person = board.language, board.candidate
    media_ = parts.media
    said = media_.offer
    if media_.url:  # the link follows on its own line
        said = f"{media_.made}; {media_.until_short}" if media_.until_short else media_.made + "."
    first = dataclasses.replace(parts, points=parts.points[:1])
    point = first.point_lines(lang)[0] if first.points else ""
    thanks = [
        say("mail_thanks", lang, role=board.role, company=board.company),
        say("mail_thanks_role", lang, role=board.role),
        say("mail_thanks_short", lang),
    ]
    # From the fullest to the leanest: the point is kept longest, it makes the message personal.
    tries = [
        (thank, pointed, signer)
        for pointed in (point, "")
        for signer in (person.name, person.name.split()[0])
        for thank in thanks
    ]
    for thank, pointed, signer in tries:
        words = " ".join(filter(None, (run_on(thank, lang, parts.names), pointed, said)))
        sign = f"{parts.signoff.rstrip(',')}, {signer}"
        text = f"{parts.greeting}, {words}\n{sign}"
        if len(text) <= MAX_MESSAGE:
            break
    else:  # only an absurdly long greeting or name gets here: cut the middle, then all
        room = MAX_MESSAGE - len(parts.greeting) - len(sign) - 3
        text = f"{parts.greeting}, {_clip_chars(words, room)}\n{sign}" if room > 40 else text
        text = _clip_chars(text, MAX_MESSAGE)
    return text + (f"\n{media_.url}" if media_.url else "")


def _within_budget(parts: Parts, board: Storyboard) -> Parts:
    """Return *parts* made shorter, step by step, until the body has at most 150 words."""
    steps: list[tuple[str, Callable[[Parts], Parts]]] = [
        ("closing", lambda p: dataclasses.replace(p, closing=_next_step(board))),
        ("thanks", lambda p: dataclasses.replace(p, thanks=_thanks(board, "mail_thanks"))),
        ("thanks", lambda p: dataclasses.replace(p, thanks=_thanks(board, "mail_thanks_short"))),
        ("discussed", lambda p: dataclasses.replace(p, points=p.points[:1])),
        ("value", lambda p: dataclasses.replace(p, values=p.values[:1])),
        ("candidate.phone", lambda p: dataclasses.replace(p, closing=_next_step(board, False))),
        ("interview.company", lambda p: dataclasses.replace(p, company="")),
        ("discussed", lambda p: dataclasses.replace(p, points=_cut(p.points, _over(p, board)))),
        ("value", lambda p: dataclasses.replace(p, values=_cut(p.values, _over(p, board)))),
    ]  # fmt: skip
    for what, shorter in steps:
        if _over(parts, board) <= 0:
            break
        changed = shorter(parts)
        if changed != parts:
            parts = dataclasses.replace(changed, left_out=(*parts.left_out, what))
    return parts


def _over(parts: Parts, board: Storyboard) -> int:
    return count_words(parts, board) - MAX_WORDS


def _cut(texts: tuple[str, ...], over: int) -> tuple[str, ...]:
    """Return the first of *texts* cut by *over* words (keeping at least four): the last resort."""
    if not texts:
        return texts
    return (_clip_words(texts[0], max(4, len(texts[0].split()) - over)),)


def _names(board: Storyboard) -> frozenset[str]:
    """Return the proper nouns of *board*: the people, the company, and capitalised words
    its prose uses mid-sentence."""
    prose = [s.text for s in board.scenes] + [b for s in board.scenes for b in s.bullets]
    # The speaker notes and the video's script: more of the candidate's own sentences.
    prose += [s.notes for s in board.scenes]
    if board.video and board.video.script:
        prose.append(board.video.script)
    given = f"{board.company} {board.interviewer.name} {board.candidate.name}".split()
    return proper_nouns(prose) | {w.strip(".,") for w in given}


def _thanks(board: Storyboard, key: str) -> str:
    return _opening(say(key, board.language, role=board.role, company=board.company), board)


def _opening(text: str, board: Storyboard) -> str:
    """Return the first sentence after the greeting: German goes on in lower case after
    "Liebe Frau Schulz," (unless the word is a noun or "Sie"); English starts a new one."""
    return run_on(text, "de") if board.language == "de" else text


def _next_step(board: Storyboard, phone: bool = True) -> str:
    lang, to, number = board.language, board.interviewer.register, board.candidate.phone
    if number and phone:
        return say_to("mail_next_phone", lang, to, phone=number)
    return say_to("mail_next", lang, to)


def _local(moment: datetime, interview: date | datetime) -> datetime:
    """Return *moment* in the interview's time zone when it has one, else the machine's."""
    zone = interview.tzinfo if isinstance(interview, datetime) else None
    return moment.astimezone(zone) if zone else moment.astimezone()


def _zone(moment: datetime) -> str:
    """Return the UTC offset as people read it: ``UTC+1``, ``UTC+5:30``, ``UTC``."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _bare(text: str) -> str:
    return text.strip().rstrip(".;,:").strip()


def _end(text: str) -> str:
    """Return *text* ending in a full stop, unless it ends in ?, ! or an ellipsis."""
    text = _bare(text)
    return text if text.endswith(("?", "!", "…")) else text + "."


def _clip_words(text: str, words: int) -> str:
    """Return *text* cut to *words* words, the ellipsis on the last (so it adds no word)."""
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]).rstrip(".,;:") + "…"


def _clip_chars(text: str, limit: int) -> str:
    """Return *text* cut at a space to at most *limit* characters, ending in an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(".,;:") + "…"
