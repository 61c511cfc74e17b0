"""Run MkDocs in-process, in a temporary folder, with our theme and the page view as context."""

from __future__ import annotations

import functools
import io
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from builder import cache
from builder.errors import ThemeError
from builder.site.assets import site_dirs
from builder.site.view import PageView
from builder.theme import Theme

# The only configuration file MkDocs sees: a constant. Pitch text never reaches it; the page
# data travels as a Python object through a plugin instance (see _Inject).
_CONFIG = b"site_name: followup\n"


def prepare(theme: Theme) -> None:
    """Import MkDocs and Jinja and load one configuration (which imports MkDocs' Markdown
    extensions): what :func:`render` needs first, about 0.13 s, done ahead.

    The configuration names existing folders and is dropped: nothing is written. Any
    failure is left for :func:`render` to report.
    """
    dirs = site_dirs(theme)
    with _mkdocs_logs(verbose=False), suppress(Exception):
        _config(dirs, dirs[0], dirs[0].parent / ".site-never-written")


def _config(dirs: list[Path], docs: Path, out: Path) -> Any:
    """Return MkDocs' configuration for a one-page build of *docs* into *out* with the
    template folders *dirs* (the theme's own first)."""
    from mkdocs.exceptions import Abort

    config = _one_page_config()(config_file_path=str(docs.parent / "mkdocs.yml"))
    config.load_file(io.BytesIO(_CONFIG))
    config.load_dict(
        {
            "docs_dir": str(docs),
            "site_dir": str(out),
            "theme": {"name": None, "custom_dir": str(dirs[0])},
            "plugins": [],  # no search plugin: it would add JavaScript and an index
            "use_directory_urls": False,
        }
    )
    errors, _ = config.validate()
    if errors:
        raise Abort("; ".join(f"{name}: {error}" for name, error in errors))
    # The shared templates come after the theme's own, which may override any of them.
    config.theme.dirs[1:1] = [str(d) for d in dirs[1:]]
    # Only index.html is read back: no sitemap.xml and sitemap.xml.gz to write.
    config.theme.static_templates.clear()
    return config


@functools.cache
def _one_page_config() -> type:
    """Return MkDocs' configuration class without its built-in Markdown extensions.

    MkDocs always loads ``toc``, ``tables`` and ``fenced_code`` (which imports Pygments):
    about 11 ms of every build, measured. Our page's Markdown is empty (the theme writes
    the page), so nothing would ever use them.
    """
    from mkdocs.config import config_options
    from mkdocs.config.defaults import MkDocsConfig

    class OnePage(MkDocsConfig):  # type: ignore[no-untyped-call]
        markdown_extensions = config_options.MarkdownExtensions(
            builtins=[], configkey="mdx_configs"
        )

    return OnePage


def render(view: PageView, theme: Theme, work: Path, verbose: bool = False) -> str:
    """Return the HTML of the one-page site for *view*, built by MkDocs with *theme*'s templates.

    MkDocs builds in *work*, an empty folder (the build's scratch folder: never the
    system's temp folder, where an interrupted build would leave the page behind). Its own
    log lines are shown on stderr only when *verbose*. Raises :class:`ThemeError` when the
    theme's templates cannot be rendered.
    """
    import jinja2
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    dirs = site_dirs(theme)
    with _mkdocs_logs(verbose):
        docs, out = work / "docs", work / "site"
        docs.mkdir()
        (docs / "index.md").write_text("")  # the content comes from the theme, not Markdown
        try:
            config = _config(dirs, docs, out)
            config.plugins["followup-site"] = _plugin(view)
            build(config)
        except MkDocsException as e:
            raise ThemeError(f"{theme.name}: the site could not be built: {e}") from e
        except jinja2.TemplateError as e:
            raise ThemeError(f"{theme.name}: site template error: {e}") from e
        return (out / "index.html").read_text(encoding="utf-8")


def _plugin(view: PageView) -> Any:
    from mkdocs.plugins import BasePlugin

    class _Inject(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        """Turns on autoescaping and hands the page view to the templates as ``followup``."""

        def on_files(self, files: Any, /, *, config: Any) -> Any:
            # The CSS travels inside the page (assets.stylesheet): copying the theme's files
            # into the site folder, to be thrown away unread, is wasted work.
            return type(files)(f for f in files if f.is_documentation_page())

        def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
            # Every value from the pitch is plain text: escape it everywhere, by default.
            env.autoescape = True
            env.bytecode_cache = template_cache()
            return env

        def on_page_context(self, context: Any, /, *, page: Any, config: Any, nav: Any) -> Any:
            context["followup"] = view
            return context

    return _Inject()


def template_cache() -> Any:
    """Return a Jinja bytecode cache in the site cache folder, or ``None`` when unwritable.

    Compiling the templates is a good part of MkDocs' work, and they change only with the
    theme or the tool; Jinja checks each entry against its template's source. An entry is
    compiled code for one Jinja version and one autoescape setting (ours, always on): both
    are in the folder's name, so no other setting ever loads it.
    """
    import jinja2

    class Quiet(jinja2.FileSystemBytecodeCache):
        """Jinja's file cache, except that a failed write is no error (a full disk)."""

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with suppress(OSError):
                super().dump_bytecode(bucket)

    place = cache.folder("site") / f"templates-jinja{jinja2.__version__}-autoescape"
    try:
        place.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return Quiet(str(place))


@contextmanager
def _mkdocs_logs(verbose: bool) -> Iterator[None]:
    """Show MkDocs' messages on stderr when *verbose*, swallow them otherwise; then restore."""
    logger = logging.getLogger("mkdocs")
    saved = (logger.level, logger.propagate, list(logger.handlers))
    handler: logging.Handler
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("mkdocs: %(message)s"))
        logger.setLevel(logging.INFO)
    else:
        handler = logging.NullHandler()
        logger.setLevel(logging.CRITICAL + 1)
    logger.handlers = [handler]
    logger.propagate = False
    try:
        yield
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        logger.handlers = saved[2]
