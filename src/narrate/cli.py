"""The command line: the only module that prints.

Exit codes (documented in the README):
  0 success · 1 other narrate error · 2 configuration · 3 source · 4 speech ·
  5 audio · 6 output · 7 publish · 8 some publications failed · 130 interrupted.
A ``NarrateError`` prints as ``path:line: message`` without a traceback.
"""

from __future__ import annotations

import json
import re
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape as escape_markup
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from narrate import __version__
from narrate.artifacts import output_folder_usable, remove_unfinished
from narrate.errors import BUILD_FAILED, INTERRUPTED, NarrateError

if TYPE_CHECKING:  # the engine is imported only when this process builds (a running studio may instead)
    from narrate.engine.run import BuildReport, PublicationResult

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn Markdown publications into accessible editions: EPUB 3, tagged PDF, narrated audio.")
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _version(value: bool) -> None:
    if value:
        out.print(f"narrate {__version__}")
        raise typer.Exit()


# C0 controls but tab and newline, DEL and C1 controls: an ESC in a file name or a front matter key that a
# message quotes would otherwise drive the terminal (colours, cursor moves, a rewritten line).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """``text`` safe to print: Rich markup escaped, control characters shown as ``\\xNN``."""
    return escape_markup(_CONTROLS.sub(lambda found: f"\\x{ord(found.group()):02x}", text))


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Show the version and exit.")] = False) -> None:
    """narrate: accessible editions from Markdown."""


def shown(exc: NarrateError) -> str:
    """The error as printed: an absolute path under the current folder becomes relative."""
    if exc.path and Path(exc.path).is_absolute():
        try:
            exc.path = str(Path(exc.path).relative_to(Path.cwd()))
        except ValueError:
            pass
    return escape(str(exc))


def fail(exc: NarrateError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {shown(exc)}", soft_wrap=True)
    return typer.Exit(exc.exit_code)


class ConsoleReporter:
    """Prints a line per publication and a synthesis bar (rich)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.warnings: list[str] = []  # the build's own (not a publication's), for --json
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.completed}/{task.total} sentences · {task.fields[minutes]}"),
                                 TimeRemainingColumn(), console=err, transient=True, disable=quiet)
        self.tasks: dict[str, TaskID] = {}

    def warning(self, message: str) -> None:
        self.warnings.append(message)
        self._say(message)

    def _say(self, message: str) -> None:
        if not self.quiet:
            err.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)

    def started(self, slug: str, title: str) -> None:
        if not self.quiet:
            err.print(f"[bold]{escape(slug)}[/]: building…")

    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None:
        if self.quiet:
            return
        if slug not in self.tasks:
            self.bar.start()
            self.tasks[slug] = self.bar.add_task(f"  {escape(slug)}: narrating", total=total, minutes="0.0 min")
        self.bar.update(self.tasks[slug], completed=done, total=total,
                             minutes=f"{audio_ms / 60000:.1f} min of audio")
        if done >= total:
            self.bar.stop()

    def finished(self, result: PublicationResult) -> None:
        for message in result.warnings:
            self._say(message)
        if result.error is not None:
            err.print(f"[bold red]error:[/] {shown(result.error)}", soft_wrap=True)
        elif not self.quiet:
            made = ", ".join(result.built) or "nothing new"
            err.print(f"[green]{escape(result.slug)}[/]: built {made}" + (f"; reused {len(result.reused)}"
                                                                  if result.reused else "")
                      + f" ({result.seconds:.1f} s)")


def _summary(report: BuildReport) -> None:
    table = Table(title=f"narrate build → {report.output}", show_lines=False)
    for column in ("publication", "built", "reused", "status", "time"):
        table.add_column(column)
    for r in report.results:
        status = "[green]ok[/]" if r.ok else f"[red]failed ({type(r.error).__name__})[/]"
        table.add_row(escape(r.slug), ", ".join(r.built) or "-", ", ".join(r.reused) or "-", status,
                      f"{r.seconds:.1f} s")
    err.print(table)
    err.print(f"{len(report.results) - len(report.failed)} built, {len(report.failed)} failed "
              f"in {report.seconds:.1f} s")


def _json_summary(report: BuildReport, said: list[str]) -> str:
    """The build as JSON; ``said``: the warnings the build gave as it ran (a damaged manifest, a
    cluster's fallback), which --json keeps off the terminal, beside the project's."""
    return json.dumps({
        "output": str(report.output),
        "seconds": round(report.seconds, 3),
        "publications": [{"slug": r.slug, "source": r.source, "built": r.built, "reused": r.reused,
                          "ok": r.ok, "error": str(r.error) if r.error else None,
                          "warnings": r.warnings, "seconds": round(r.seconds, 3)} for r in report.results],
        "warnings": list(dict.fromkeys([*report.warnings, *said])),
    }, indent=2)


def _waiting(message: str) -> None:
    err.print(f"[yellow]waiting:[/] {escape(message)}", soft_wrap=True)


def _on_sigterm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise KeyboardInterrupt


@app.command("build")
def build_cmd(
    project: Annotated[Path, typer.Argument(help="The project folder, or one Markdown file.")] = Path("."),
    formats: Annotated[str, typer.Option("--formats", help="Comma-separated: epub,pdf,pdf-large,mp3,m4b,"
                                         "epub-readaloud.")] = "",
    only: Annotated[list[str], typer.Option("--only", help="Build only this slug (repeatable).")] = [],  # noqa: B006
    output: Annotated[Path | None, typer.Option("--output", help="Output folder (default: PROJECT/output).")] = None,
    voice: Annotated[str, typer.Option("--voice", help="Voice profile name from voices/.")] = "",
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers (default: CPUs).")] = 0,
    executor: Annotated[str, typer.Option("--executor", help="Where sentences are synthesized: local (a process "
                                          "pool) or ray (a Ray cluster). Default: [build] executor, "
                                          "else local.")] = "",
    ray_address: Annotated[str, typer.Option("--ray-address", help="The Ray cluster (HOST:PORT). Default: "
                                             "RAY_ADDRESS, [build] ray_address, else a local Ray for this "
                                             "build.")] = "",
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop at the first failed publication.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")] = False,
) -> None:
    """Build every edition of every publication in PROJECT (or of one Markdown file)."""
    fmts = tuple(f.strip() for f in formats.split(",") if f.strip()) or None
    reporter = ConsoleReporter(quiet or as_json)
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        if output is not None:
            output_folder_usable(output)
        asked = {"formats": formats, "only": only, "voice": voice, "jobs": jobs, "fail_fast": fail_fast,
                 "strict": strict}
        report = _in_studio(project, output, asked, executor or ray_address, reporter, quiet or as_json)
        if report is None:
            from narrate.engine.run import BuildOptions, build, default_jobs

            options = BuildOptions(formats=fmts, only=tuple(only), output=output, voice=voice,
                                   jobs=jobs or default_jobs(), executor=executor, ray_address=ray_address,
                                   fail_fast=fail_fast, strict=strict)
            report = build(project, options, reporter)
    except NarrateError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        remove_unfinished()
        err.print("[yellow]interrupted[/]: finished files are kept; run the build again to resume.")
        raise typer.Exit(INTERRUPTED) from None
    if as_json:
        out.print_json(_json_summary(report, reporter.warnings))
    elif not quiet:
        _summary(report)
    warned = bool(report.warnings) or any(r.warnings for r in report.results)
    if report.failed or (strict and warned):
        if strict and warned and not report.failed:
            err.print("[red]--strict:[/] warnings count as errors.")
        raise typer.Exit(BUILD_FAILED)


def _in_studio(project: Path, output: Path | None, asked: dict, cluster: str, reporter: ConsoleReporter,
               quiet: bool) -> BuildReport | None:
    """The build made by the studio running for ``project`` (``narrate serve``), or None when this
    process builds. Where a studio has said it serves the project, one line says which; with none
    (the usual case) nothing is said."""
    from narrate.studio import early_handoff, handoff

    if not early_handoff.serving(project):
        return None  # one Markdown file, or no studio for this project: built here, as always
    root = project.resolve()
    if cluster:
        reason = "--executor and --ray-address are not handed to a studio"
    else:
        body = early_handoff.body(**asked, output=output or root / "output")
        # posted before this module's imports when the command line allowed (``narrate.__main__``)
        handed = early_handoff.taken(root, body) or handoff.ask(root, body)
        reason = handed.reason
    if not reason:
        if not quiet:
            err.print(f"narrate: building in the studio at {handed.url} (pid {handed.pid})", markup=False)
        try:
            return handoff.replay(handed.events, reporter)  # type: ignore[return-value] - the same fields
        except handoff.Broken as exc:
            reason = f"the studio stopped answering ({exc})"
    if not quiet:
        err.print(f"narrate: building here: {reason}", markup=False, soft_wrap=True)
    return None


@app.command("init")
def init_cmd(directory: Annotated[Path, typer.Argument(help="Folder to create the project in.")]) -> None:
    """Scaffold a project: narrate.toml, content/ with an example, voices/."""
    from narrate.sources.scaffold import scaffold

    try:
        created = scaffold(directory)
    except NarrateError as exc:
        raise fail(exc) from None
    for path in created:
        out.print(f"created {path}")


@app.command("script")
def script_cmd(
    target: Annotated[str, typer.Argument(help="A publication's slug or source path.")],
    project: Annotated[Path, typer.Option("--project", "-p", help="The project folder.")] = Path("."),
    voice: Annotated[str, typer.Option("--voice", help="Voice profile (for its lexicons and pauses).")] = "",
    phonemes: Annotated[bool, typer.Option("--phonemes", help="Print the phonemes each utterance's voice is given "
                                           "(IPA, as espeak-ng writes it) instead of its words.")] = False,
) -> None:
    """Print exactly what will be spoken: one utterance per line, a blank line between blocks."""
    from narrate.engine.views import publication_script_text

    try:
        out.print(publication_script_text(project, target, voice, phonemes), end="", markup=False, soft_wrap=True)
    except NarrateError as exc:
        raise fail(exc) from None


@app.command("voices")
def voices_cmd(
    project: Annotated[Path, typer.Argument(help="The project folder.")] = Path("."),
) -> None:
    """List the voice profiles, whether each is usable here, and the voice each language gets."""
    from narrate.engine.views import language_voices, voice_table

    try:
        rows = voice_table(project)
        languages = language_voices(project)
    except NarrateError as exc:
        raise fail(exc) from None
    table = Table(title="Voices")
    for column in ("name", "engine", "language", "offline", "usable", "note"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["name"], row["engine"], row["language"], "yes" if row["offline"] else "no (internet)",
                      "[green]yes[/]" if row["usable"] else "[red]no[/]", row["note"])
    out.print(table)
    by_language = Table(title="Voice per language (no --voice: the default; --voice espeak: espeak-ng's voice)")
    for column in ("language", "default", "espeak"):
        by_language.add_column(column)
    for lang in languages:
        by_language.add_row(lang["language"], lang["default"] if lang["default"] != "none installed"
                            else "[red]none installed[/]", lang["espeak"])
    out.print(by_language)


@app.command("package")
def package_cmd(
    project: Annotated[Path, typer.Argument(help="The project folder.")] = Path("."),
    output: Annotated[Path | None, typer.Option("--output", help="Output folder (default: PROJECT/output).")] = None,
    base_url: Annotated[str, typer.Option("--base-url", help="Where dist/ will be served (default: "
                                          "[feed] base_url).")] = "",
    subscribers: Annotated[Path | None, typer.Option("--subscribers", help="subscribers.csv, kept outside "
                                                     "content/ (default: [subscribers] file).")] = None,
    key_file: Annotated[Path | None, typer.Option("--key-file", help="File holding the subscriber key "
                                                  "(default: $NARRATE_SUBSCRIBER_KEY).")] = None,
) -> None:
    """Package what was built into output/dist/: bundles, podcast feed, download pages, subscriber copies."""
    from narrate.publish import package

    try:
        if output is not None:
            output_folder_usable(output)
        from narrate.engine.lock import project_lock

        with project_lock(project, "package", _waiting):
            report = package(project, output=output, base_url=base_url, subscribers=subscribers, key_file=key_file)
    except NarrateError as exc:
        raise fail(exc) from None
    for message in report.warnings:
        err.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)
    if report.pruned:
        out.print(f"removed {len(report.pruned)} file(s) a previous package wrote: "
                  + escape(", ".join(report.pruned)), soft_wrap=True)
    out.print(f"dist: {report.dist} ({len(report.bundles)} bundle(s), feed {report.feed.name}, page "
              f"{report.page.name})")
    if report.subscribers or report.revoked or report.removed:
        out.print(f"subscribers: {report.subscribers} packaged ({report.personal_made} personal copies made, "
                  f"{report.personal_reused} reused), {report.revoked} revoked, {report.removed} removed")
    if report.links is not None:
        out.print(f"private (never upload): {report.links}")


@app.command("check")
def check_cmd(
    project: Annotated[Path, typer.Argument(help="The project folder.")] = Path("."),
    output: Annotated[Path | None, typer.Option("--output", help="Output folder (default: PROJECT/output).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show info findings (measurements) too.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on flagged words not yet reviewed "
                                         "(narrate proof).")] = False,
    profile: Annotated[str, typer.Option("--profile", help="Check the audio against a store's spec: acx "
                                         "(what ACX would refuse, file by file).")] = "",
) -> None:
    """Validate what was built: EPUBCheck, accessibility metadata, PDF tagging, audio chapters and loudness."""
    import dataclasses

    from narrate.check.run import check_project

    try:
        if output is not None:
            output_folder_usable(output)
    except NarrateError as exc:
        raise fail(exc) from None
    report = check_project(project, output=output, strict=strict, profile=profile)
    if as_json:
        data = dataclasses.asdict(report) | {"ok": report.ok}
        out.print_json(json.dumps(data))
    else:
        table = Table(title=f"narrate check → {report.output}")
        for column in ("publication", "file", "check", "level", "message"):
            table.add_column(column, overflow="fold")
        colours = {"error": "red", "warning": "yellow", "info": "dim"}
        for f in report.findings:
            if f.level != "info" or verbose:
                table.add_row(escape(f.slug or "-"), escape(f.path), f.check, f"[{colours[f.level]}]{f.level}[/]",
                              escape(f.message))
        out.print(table)
        out.print(f"{report.publications} publication(s), {report.artifacts} artifact(s): "
                  f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    if not report.ok:
        raise typer.Exit(1)


@app.command("proof")
def proof_cmd(
    project: Annotated[Path, typer.Argument(help="The project folder.")] = Path("."),
    only: Annotated[list[str], typer.Option("--only", help="Proof only this slug (repeatable).")] = [],  # noqa: B006
    output: Annotated[Path | None, typer.Option("--output", help="Output folder (default: PROJECT/output).")] = None,
    voice: Annotated[str, typer.Option("--voice", help="Voice profile name, as given to narrate build.")] = "",
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers (default: CPUs).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the flagged words as JSON.")] = False,
) -> None:
    """Write output/proof/: per publication, the words the voice may get wrong, every sentence to hear, loudness."""
    from narrate.engine.run import default_jobs
    from narrate.proof import proof_project

    reporter = ConsoleReporter(as_json)

    def progress(slug: str, stage: str, done: int, total: int) -> None:
        if stage == "synthesize" and total:
            reporter.progress(slug, done, total, 0)

    try:
        if output is not None:
            output_folder_usable(output)
        report = proof_project(project, only=tuple(only), output=output, voice=voice,
                               jobs=jobs or default_jobs(), progress=progress)
    except NarrateError as exc:
        raise fail(exc) from None
    for message in report.warnings:
        err.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)
    for error in report.failed:
        err.print(f"[bold red]error:[/] {shown(error)}", soft_wrap=True)
    if as_json:
        out.print_json(json.dumps(report.data, ensure_ascii=False))
    else:
        for pub in report.publications:
            out.print(f"{escape(pub.slug)}: {len(pub.flagged)} word(s) to check, {pub.synthesized} sentence(s) "
                      f"synthesized, {pub.clips_made} clip(s) made → {escape(str(report.output / pub.page))}")
        out.print(f"proof: {escape(str(report.index))}")
    if report.failed:
        raise typer.Exit(BUILD_FAILED)


@app.command("clean")
def clean_cmd(
    project: Annotated[Path, typer.Argument(help="The project folder.")] = Path("."),
    output: Annotated[Path | None, typer.Option("--output", help="Output folder (default: PROJECT/output).")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Remove the whole cache and output.")] = False,
) -> None:
    """Prune the audio cache (sentences no current source uses) and stale output."""
    from narrate.engine.clean import clean

    try:
        if output is not None:
            output_folder_usable(output)
        report = clean(project, output=output, everything=everything, notify=_waiting)
    except NarrateError as exc:
        raise fail(exc) from None
    for message in report.warnings:
        err.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)
    out.print(f"cache: removed {report.removed_cache}, kept {report.kept_cache}; output: removed "
              f"{len(report.removed_output)} file(s); freed {report.freed_bytes / 2**20:.1f} MB")


@app.command("import")
def import_cmd(
    sources: Annotated[list[str], typer.Argument(help="Saved HTML pages or folders of them, WordPress (WXR) or "
                                                 "Ghost (JSON) exports, or http(s) URLs.")],
    project: Annotated[Path, typer.Option("--project", "-p", help="The project folder.")] = Path("."),
    media: Annotated[Path | None, typer.Option("--media", help="A local copy of the site's uploads folder.")] = None,
    drafts: Annotated[bool, typer.Option("--drafts", help="Import drafts too (exports).")] = False,
    pages: Annotated[bool, typer.Option("--pages", help="Import pages too (exports).")] = False,
    scheduled: Annotated[bool, typer.Option("--scheduled", help="Import posts scheduled for later too.")] = False,
    protected: Annotated[bool, typer.Option("--protected", help="Import password-protected and members-only "
                                            "posts too (never imported unasked).")] = False,
    kind: Annotated[str, typer.Option("--kind", help="article or chapter.")] = "article",
    ghost_key: Annotated[str, typer.Option("--ghost-key", help="A Ghost site's Content API key: the address "
                                           "given is synced through its API.")] = "",
    ghost_key_file: Annotated[Path | None, typer.Option("--ghost-key-file", help="A TOML file outside the "
                                                        "project, readable only by you, with [import] "
                                                        "ghost_key.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files edited since their import.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was imported as JSON.")] = False,
    allow_private_hosts: Annotated[bool, typer.Option("--allow-private-hosts", help="Fetch from loopback and "
                                                      "private network addresses too (refused by default).")] = False,
) -> None:
    """Import articles into content/<slug>.md (and content/images/<slug>/) from where they live."""
    import contextlib
    import dataclasses

    from narrate.engine.lock import project_lock
    from narrate.importing import ImportOptions, run_import

    options = ImportOptions(media=media, drafts=drafts, pages=pages, kind=kind, force=force,
                            allow_private_hosts=allow_private_hosts, scheduled=scheduled, protected=protected,
                            ghost_key=ghost_key, ghost_key_file=ghost_key_file)
    try:
        lock = project_lock(project, "import", _waiting) if project.is_dir() else contextlib.nullcontext()
        with lock:  # no project folder: run_import says so (and the lock would create one)
            report = run_import(project, sources, options,
                                warn=lambda m: err.print(f"[yellow]warning:[/] {escape(m)}", soft_wrap=True))
    except NarrateError as exc:
        raise fail(exc) from None
    if as_json:
        out.print_json(json.dumps({"imported": [dataclasses.asdict(i) for i in report.imported],
                                   "warnings": report.warnings, "sync": report.notes}))
        return
    table = Table(title=f"narrate import → {project / 'content'}")
    for column in ("slug", "title", "file", "images", "status"):
        table.add_column(column, overflow="fold")
    for item in report.imported:
        table.add_row(escape(item.slug), escape(item.title), escape(str(item.path)), str(item.images), item.status)
    out.print(table)
    for note in report.notes:
        out.print(escape(note), soft_wrap=True)
    out.print(f"{len(report.imported)} article(s) imported, {len(report.warnings)} warning(s)")


@app.command("serve")
def serve_cmd(
    project: Annotated[Path, typer.Argument(help="The project folder.")] = Path("."),
    port: Annotated[int, typer.Option("--port", help="The port to listen on.")] = 8000,
    host: Annotated[str, typer.Option("--host", help="The address to listen on; any but loopback needs the "
                                      "token printed.")] = "127.0.0.1",
    voice: Annotated[str, typer.Option("--voice", help="Voice profile name, as given to narrate build.")] = "",
    open_browser: Annotated[bool, typer.Option("--open", help="Open the studio in a browser.")] = False,
) -> None:
    """A local web studio: the library, listen and read along, fix pronunciations; rebuilds on save."""
    from narrate.studio.server import make_server

    try:
        served = make_server(project, host=host, port=port, voice=voice)
    except NarrateError as exc:
        raise fail(exc) from None
    out.print(f"narrate studio: {served.url}  (Ctrl-C stops it)", markup=False, soft_wrap=True)
    if open_browser:
        import webbrowser

        webbrowser.open(served.url)
    served.server.run()


def _quick_build(argv: list[str]) -> dict | None:
    """``narrate build``'s arguments read without typer when a studio serves the project: the
    hand-off's client then never imports pydantic, through which typer checks every value (0.12 of
    its 0.3 CPU-s). The options are ``build_cmd``'s own (``early_handoff.BUILD_OPTIONS``); anything
    this plain reading does not take exactly as typer would (``--opt=value``, ``-j2``, ``--help``, a
    value starting with ``-``, a second folder, no studio) returns None, and typer reads the
    command line as always."""
    from narrate.studio import early_handoff

    values = early_handoff.read_build_args(argv)
    return values if values is not None and early_handoff.serving(values["project"]) else None


def run() -> None:  # pragma: no cover - console entry point alias
    try:
        quick = _quick_build(sys.argv[1:])
        if quick is not None:
            try:
                build_cmd(**quick)
            except typer.Exit as exc:
                sys.exit(exc.exit_code)
            return
        app()
    except KeyboardInterrupt:
        remove_unfinished()
        sys.exit(INTERRUPTED)
