"""The project's error family: problems a user can fix, shown as one line each."""


class BuilderError(Exception):
    """A problem the user can fix; the CLI prints its message and exits 1."""


class PitchError(BuilderError):
    """The pitch file is unreadable or invalid; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ThemeError(BuilderError):
    """A theme is missing or its theme.yaml is invalid."""


class MediaError(BuilderError):
    """An image, recording or caption file referenced by the pitch cannot be used."""


class OutputError(BuilderError):
    """An output could not be written (unwritable folder, missing converter, ...)."""


class ShareError(BuilderError):
    """Sharing failed: the store, the bucket, an upload or a link."""
