"""``build preview``: a local web page that shows every output live while the pitch is
edited, and records the candidate's video in the browser (see docs/preview.md).

The pieces: :mod:`.server` runs it, :mod:`.app` answers requests behind :mod:`.guard`,
:mod:`.session` builds what :mod:`.changes` says changed whenever :mod:`.watch` sees a save,
:mod:`.render` draws the deck's pages, :mod:`.record` and :mod:`.yamledit` keep a recording.
"""
