"""``build init``: a commented starter pitch.yaml to fill in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from builder.errors import OutputError

STARTER = """\
# pitch.yaml: one file for every follow-up after one interview.
# Fill in every <...>, then run `build check pitch.yaml`: it lists whatever is left.
# All text is plain text (no HTML, no Markdown). Paths are relative to this file.
# Reference: the "Pitch file" page of the docs; `build schema` prints a JSON Schema.

language: en                 # en or de: the language of every generated word
theme: classic               # `build themes` lists them; or a path to a theme folder

candidate:
  name: <your name>
  email: you@example.com
  # phone: "+49 30 1234567"  # quote phone numbers
  headline: <one line, who you are and what you are good at>
  # photo: media/me.jpg      # optional; re-encoded without EXIF/GPS
  # links:                   # optional; label: http(s) address
  #   Portfolio: https://example.com

interview:
  company: <company>
  role: <role>
  date: {today}              # or date and time with offset: {today}T15:00+01:00
  interviewers:              # each gets a personal follow-up of their own
    - name: <interviewer's name>
      # title: <their job title>
      # email: name@company.example   # used by the email draft
      # salutation: Dear <first name> # greeting override (German: "Liebe Frau Kim")
      discussed:             # what you talked about with this person in particular
        - <a specific moment of your conversation with them>

thanks: <one or two sentences of genuine thanks>

discussed:                   # 1-5 specific moments of the conversation
  - <a topic you discussed, in a few concrete words>

value:                       # 1-5: what you would bring, tied to what was discussed
  - title: <a concrete result you would deliver>
    detail: <proof, where you did it before and what it changed>
    # image: media/result.png

# samples:                   # optional work samples
#   - title: <sample title>
#     description: <one sentence>
#     image: media/sample.png
#     url: https://example.com/sample

closing: <the next step you offer, e.g. a short call>

# video:                     # optional, for `build video`
#   recording: media/hello.mp4   # your own clip (mp4/mov/webm) or narration (m4a/mp3/wav/ogg)
#   script: <what you say, for the captions>
"""


def write_starter(folder: Path) -> Path:
    """Write a starter pitch.yaml into *folder* and return its path; never overwrite one."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file; give the folder to write pitch.yaml into")
    target = folder / "pitch.yaml"
    if target.exists():
        raise OutputError(f"{target} already exists; not overwriting it")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(STARTER.format(today=date.today().isoformat()), encoding="utf-8")
    except OSError as e:
        raise OutputError(f"{target}: cannot write: {e.strerror}") from None
    return target
