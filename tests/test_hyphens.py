"""Words too long for their line: broken where their language hyphenates them, or not at all."""

from __future__ import annotations

from builder.deck.text import Para, fit
from builder.frames.text import font, wrap
from builder.hyphens import SHY, pieces, soft
from builder.theme import load_theme

COMPOUND = "Straßenbahnfahrplanoptimierung"


def test_pieces_fall_between_syllables_of_words_only() -> None:
    assert "".join(pieces(COMPOUND, "de")) == COMPOUND
    assert pieces(COMPOUND, "de")[:3] == ["Stra", "ßen", "bahn"]
    assert pieces("„Rechtsschutzversicherungsgesellschaften“,", "de")[-1].endswith("“,")
    for unbreakable in ("https://a.example/xyzabc", "v1.2.3", "Kim"):
        assert pieces(unbreakable, "de") == [unbreakable]
    # Its own hyphens are breaks already: no soft hyphen is put before them.
    assert soft("Supply-Chain-Optimierung", "de") == f"Sup{SHY}ply-Chain-Opti{SHY}mie{SHY}rung"


def test_the_frames_break_a_long_word_with_a_hyphen_where_german_does() -> None:
    face = font(load_theme("classic").heading.bold, 60)
    width = round(face.getlength(COMPOUND) * 0.7)
    lines = wrap(f"{COMPOUND} 2025", face, width, "de")
    # Before: "Straßenbahnfahrpla / noptimierung 2025", cut between any two letters.
    assert lines[0].endswith("-") and lines[0][:-1] in {
        "".join(pieces(COMPOUND, "de")[:n]) for n in range(1, 9)
    }
    assert "".join(line.removesuffix("-") for line in lines[:2]).startswith(COMPOUND)
    assert all(face.getlength(line) <= width for line in lines)
    assert wrap(f"{COMPOUND} 2025", face, width)[0][-1] != "-"  # no language: letters


def test_the_deck_makes_text_smaller_before_it_breaks_a_word() -> None:
    theme = load_theme("classic")
    para = Para(f"Gern stelle ich das Konzept der {COMPOUND} vor.", theme.body.regular,
                theme.body.family, "#000000", language="de")  # fmt: skip
    # A box a little narrower than the long word at the largest size, roomy in height.
    fitted = fit([para], width=12_700 * 300, height=12_700 * 400, largest=28, smallest=12)
    assert 12 < fitted.size < 28 and not fitted.shortened
    assert SHY not in fitted.paras[0].text  # it fits whole: no break in it at all
    # Too narrow even at the smallest size: it breaks at its syllables instead.
    narrow = fit([para], width=12_700 * 110, height=12_700 * 400, largest=28, smallest=12)
    assert f"Stra{SHY}ßen{SHY}bahn" in narrow.paras[0].text
