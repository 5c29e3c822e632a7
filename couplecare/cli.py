"""The `couplecare` command: parses arguments and calls the packages, nothing more."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialogs.book import Book
    from dialogs.store import ProgressStore
    from screen.companion import Companion
    from screen.server import ServedPages

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UserError(Exception):
    """Something the person can fix; printed without a traceback."""


# The packages are imported where a command needs them, so that `--help` and the text
# front end start without loading what they do not use.


def _book(args: argparse.Namespace) -> Book:
    """The checked definitions, from the cache when no file has changed since they were
    last checked."""
    from dialogs.book_cache import cached_book

    return cached_book(args.content)


def _store() -> ProgressStore:
    import progress

    return progress.open_store()


def data_dir() -> Path:
    from progress import data_dir as folder

    return folder()


def cmd_talk(args: argparse.Namespace) -> int:
    from dialogs.model import Platform
    from local_voice import WALK_EXERCISE
    from local_voice.text import TextConversation

    book = _book(args)
    exercise = args.exercise
    if args.walk and not exercise:
        exercise = WALK_EXERCISE
    if exercise and exercise not in book.exercises:
        raise UserError(f"There's no exercise called '{exercise}'. "
                        "Run `couplecare exercises` to see the list.")
    store = _store()
    companion, pages = _companion_screen(args, book, store) if args.screen else (None, None)
    watchers = (companion,) if companion is not None else ()
    try:
        if not args.text:
            from local_voice import voice

            options = voice.VoiceOptions(
                data_dir=data_dir(), walk=args.walk, model=args.model,
                input_device=args.input_device, output_device=args.output_device,
                audio_in=args.audio_in, audio_out=args.audio_out,
                rate=args.rate or voice.DEFAULT_RATE, voice=args.voice,
                end_silence=args.end_silence)
            try:
                setup = voice.prepare(
                    book, store, options, show=lambda line: print(line, flush=True),
                    watchers=watchers,
                    pressed=companion.take_press if companion is not None else lambda: None)
            except voice.VoiceUnavailable as why:
                print(f"Voice mode can't start: {why}\nSo we'll talk in text instead. Type "
                      "your answers; an empty line counts as silence.\n", file=sys.stderr)
            else:
                closing = voice.run(setup, exercise)
                if closing:
                    print(closing, file=sys.stderr)
                return EXIT_OK
        TextConversation(book, store, sys.stdin, sys.stdout,
                         Platform.WALK if args.walk else Platform.TEXT, watchers=watchers,
                         pressed=companion.take_press if companion is not None else None
                         ).run(exercise)
        return EXIT_OK
    finally:
        if companion is not None and pages is not None:
            companion.close()
            companion.settle(timeout=2.0)
            pages.stop()


def _companion_screen(args: argparse.Namespace, book: Book, store: ProgressStore
                      ) -> tuple[Companion, ServedPages]:
    """The companion page for this conversation, served and (unless --no-browser) opened."""
    from dialogs.session import LOCAL_USER
    from screen.companion import Companion

    companion = Companion(names=lambda: store.profile(LOCAL_USER).names,
                          contacts=book.messages.crisis_contacts)
    return companion, _serve_pages(args, book, store, companion)


def _serve_pages(args: argparse.Namespace, book: Book, store: ProgressStore,
                 companion: Companion | None) -> ServedPages:
    from dialogs.session import LOCAL_USER
    from screen.app import create_app
    from screen.server import ScreenError, new_token, open_in_browser, serve

    token = new_token()
    app = create_app(token, lambda: store.profile(LOCAL_USER), companion=companion,
                     titles=book.exercise_titles)
    try:
        pages = serve(app, token, args.screen_port)
    except ScreenError as error:
        raise UserError(str(error)) from None
    what = "The companion screen" if companion is not None else "Your progress"
    print(f"{what} is at {pages.address}", flush=True)
    if not args.no_browser and not open_in_browser(pages.address):
        print("Open that address in a browser on this computer.", flush=True)
    return pages


def cmd_progress(args: argparse.Namespace) -> int:
    """The progress page, served until Ctrl-C."""
    import threading

    pages = _serve_pages(args, _book(args), _store(), None)
    print("Press Ctrl-C when you have finished.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        pages.stop()
    return EXIT_OK


def cmd_devices(args: argparse.Namespace) -> int:
    from local_voice.devices import DeviceError, list_devices, no_device_reason

    try:
        devices = list_devices()
    except DeviceError as error:
        raise UserError(str(error)) from None
    if not devices:
        print(no_device_reason("sound"))
        return EXIT_OK
    print(f"{'#':>3}  {'IN':>2}  {'OUT':>3}  {'RATE':>6}  NAME")
    for d in devices:
        print(f"{d.index:>3}  {d.inputs:>2}  {d.outputs:>3}  {d.rate:>6}  {d.name}")
    return EXIT_OK


def cmd_voices(args: argparse.Namespace) -> int:
    from local_voice.speech import SpeechError, Synthesizer

    try:
        voices = Synthesizer().voices()
    except SpeechError as error:
        raise UserError(str(error)) from None
    for voice_id, name in voices:
        print(f"{voice_id}\t{name}")
    return EXIT_OK


def cmd_model_download(args: argparse.Namespace) -> int:
    from local_voice import models
    from local_voice.recognize import model_path

    source = models.ENGLISH
    if args.url:
        if not args.sha256:
            raise UserError("A different --url needs its --sha256 too.")
        source = models.ModelSource(source.name, args.url, args.sha256.lower())
    target = Path(args.to) if args.to else model_path(None, data_dir())
    try:
        models.download(target, source, show_progress=sys.stderr.isatty())
    except models.DownloadError as error:
        raise UserError(str(error)) from None
    print(f"The speech model is ready in {target}.")
    return EXIT_OK


def cmd_transcribe(args: argparse.Namespace) -> int:
    from local_voice.audio import AudioError, read_wav
    from local_voice.recognize import ModelError, Recognizer, model_path

    try:
        audio = read_wav(args.file).at_rate(16000)
        recognizer = Recognizer(model_path(args.model, data_dir()))
    except (ModelError, AudioError) as error:
        raise UserError(str(error)) from None
    phrases = [p.strip() for p in args.grammar.split("|") if p.strip()] if args.grammar else None
    heard = recognizer.transcribe(audio, phrases)
    print(heard.phrases_only or heard.text)
    print(f"(confidence {heard.confidence:.2f})", file=sys.stderr)
    return EXIT_OK


def cmd_exercises(args: argparse.Namespace) -> int:
    book = _book(args)
    rows = [("ID", "TITLE", "TOPIC", "MINUTES")] + [
        (e.id, e.title, e.topic.value, str(e.minutes)) for e in book.exercises.values()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
              + "  " + row[3])
    return EXIT_OK


def cmd_draw(args: argparse.Namespace) -> int:
    from dialogs.diagram import mermaid
    from dialogs.intents import WELCOME_FLOW

    book = _book(args)
    if args.flow == WELCOME_FLOW:
        print(mermaid(book.welcome, "Welcome"), end="")
    elif args.flow in book.exercises:
        print(mermaid(book.exercises[args.flow], book.exercises[args.flow].title), end="")
    else:
        raise UserError(f"There's no exercise called '{args.flow}'. "
                        "Run `couplecare exercises` to see the list.")
    return EXIT_OK


def _lint_book(paths: list[str], content: str | None) -> Book:
    from dialogs.book import load_book

    if not paths:
        return load_book(content)
    targets = [Path(p) for p in paths]
    for target in targets:
        if not target.exists():
            raise UserError(f"{target} does not exist.")
    if len(targets) == 1 and (targets[0] / "vocabulary.yaml").exists():
        return load_book(targets[0])
    files = [f for t in targets for f in (sorted(t.glob("*.yaml")) if t.is_dir() else [t])]
    return load_book(content, exercise_files=files)


def cmd_lint(args: argparse.Namespace) -> int:
    from dialogs import confusable
    from dialogs.lint import lint, turn_report
    from dialogs.source import DefinitionError

    try:
        book = _lint_book(args.paths, args.content)
    except DefinitionError as error:
        for problem in error.problems:
            print(problem)
        print(f"\n{len(error.problems)} problem(s) found.", file=sys.stderr)
        return EXIT_PROBLEMS
    problems = lint(book)
    if args.turns:
        print(f"{'WORDS':>5} {'MOST':>4} {'PAUSE':>5}  {'PLATFORM':<8} WHERE (STEPS JOINED)")
        for row in turn_report(book):
            print(f"{row.words:>5} {row.limit:>4} {row.breath:>5}  {row.platform.value:<8} "
                  f"{row.file}:{row.line} ({' > '.join(row.steps)})"
                  f"{'' if row.fits else '  TOO LONG'}")
        print()
    for problem in problems:
        print(problem)
    for warning in confusable.warnings(book):
        print(f"warning: {warning}")
    if problems:
        print(f"\n{len(problems)} problem(s) found.", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"All good: {len(book.exercises)} exercise(s), the welcome flow, messages and "
          "vocabulary.")
    return EXIT_OK


def cmd_rehearse(args: argparse.Namespace) -> int:
    from rehearsal.engine_driver import LOCAL_PLATFORMS, engine_starter
    from rehearsal.runner import rehearse
    from rehearsal.script import script_files

    book = _book(args)
    files = script_files(args.paths)
    if not files:
        raise UserError("No conversation files found there.")
    starter = engine_starter(book, date.today())
    played = failed = 0
    for case, outcome in rehearse(files, dict.fromkeys(LOCAL_PLATFORMS, starter),
                                  recognises=False):
        played += 1
        print(f"{'ok  ' if outcome.passed else 'FAIL'} {case.path} ({case.platform.value}): "
              f"{case.script.title}")
        if not outcome.passed:
            failed += 1
            for failure in outcome.failures:
                print(f"     {failure}")
            if args.verbose:
                print("\n".join(f"       {line}" for line in outcome.transcript))
    print(f"\n{played - failed} passed, {failed} failed")
    return EXIT_PROBLEMS if failed else EXIT_OK


def cmd_agreements(args: argparse.Namespace) -> int:
    from dialogs.engine.agreements import report

    book = _book(args)
    store = _store()
    couples = [c["user_key"] for c in store.export()["couples"]]
    if not couples:
        print("Nothing is stored yet. What you agree in an exercise will be listed here.")
    for index, user_key in enumerate(couples):
        if index:
            print("\n" + "-" * 40 + "\n")
        print(report(store.profile(user_key), date.today(), book.exercise_titles))
    return EXIT_OK


def cmd_data_export(args: argparse.Namespace) -> int:
    import progress

    data = json.dumps(progress.export(), indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(data + "\n", encoding="utf-8")
        print(f"Your progress was written to {args.output}.", file=sys.stderr)
    else:
        print(data)
    return EXIT_OK


def cmd_data_forget(args: argparse.Namespace) -> int:
    import progress

    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("To delete all stored progress without being asked, "
                            "run: couplecare data forget --yes")
        answer = input(f"Delete all progress stored in {progress.location()}? Type yes to "
                       "confirm: ")
        if answer.strip().lower() != "yes":
            print("Nothing was deleted.")
            return EXIT_OK
    progress.forget()
    print("All stored progress has been deleted.")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from skill import create_app
    from skill.app import configure_logging

    configure_logging()
    config = {"CONTENT_DIR": args.content} if args.content else {}
    run_simple(args.host, args.port, create_app(config), threaded=True)
    return EXIT_OK


def cmd_export_skill(args: argparse.Namespace) -> int:
    import os

    from skill.package import PackageSettings, export_skill

    def setting(value: str | None, variable: str, what: str) -> str:
        found = value or os.environ.get(variable)
        if not found:
            raise UserError(f"The skill package needs {what}: pass it as an option or set "
                            f"{variable}.")
        return found

    settings = PackageSettings(
        endpoint=setting(args.endpoint, "COUPLECARE_ENDPOINT",
                         "the endpoint (an https URL ending in /alexa, or a Lambda ARN)"),
        privacy_url=setting(args.privacy_url, "COUPLECARE_PRIVACY_URL", "a privacy policy URL"),
        terms_url=setting(args.terms_url, "COUPLECARE_TERMS_URL", "a terms of use URL"))
    try:
        written = export_skill(_book(args), Path(args.folder), settings)
    except ValueError as error:
        raise UserError(str(error)) from None
    for path in written:
        print(path)
    return EXIT_OK


def _screen_options(command: argparse.ArgumentParser, *switch: str) -> None:
    """--screen-port and --no-browser (and the switch that turns the screen on, if any)."""
    from screen import DEFAULT_PORT

    if switch:
        command.add_argument(switch[0], action="store_true", help=switch[1])
    command.add_argument("--screen-port", type=int, default=DEFAULT_PORT, metavar="N",
                         help=f"the page's port on this computer (default {DEFAULT_PORT})")
    command.add_argument("--no-browser", action="store_true",
                         help="print the page's address instead of opening a browser")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="couplecare",
        description="Spoken, guided exercises that help couples build and repair trust.")
    top.add_argument("--content", metavar="DIR",
                     help="use exercise definitions from DIR instead of the built-in ones")
    sub = top.add_subparsers(dest="command", required=True)

    talk = sub.add_parser("talk", help="do a guided exercise together, by voice or in text")
    talk.add_argument("--text", action="store_true", help="type instead of speaking")
    talk.add_argument("--exercise", metavar="ID", help="go straight to this exercise")
    talk.add_argument("--walk", action="store_true",
                      help="the solo walk exercise, hands-free, with earbuds")
    talk.add_argument("--model", metavar="PATH",
                      help="the Vosk model folder (or COUPLECARE_VOSK_MODEL)")
    talk.add_argument("--input-device", metavar="DEVICE", help="number or name; see devices")
    talk.add_argument("--output-device", metavar="DEVICE", help="number or name; see devices")
    talk.add_argument("--audio-in", metavar="WAV|DIR",
                      help="read what people say from a WAV file or a folder of them")
    talk.add_argument("--audio-out", metavar="DIR",
                      help="write each spoken turn as numbered WAV files instead of playing")
    talk.add_argument("--rate", type=int, help="speaking rate, in words a minute")
    talk.add_argument("--voice", help="a voice id or name for the guide")
    _screen_options(talk, "--screen", "also show a companion page in the browser: captions, "
                    "the timer and buttons")
    talk.add_argument("--end-silence", type=float, metavar="SECONDS",
                      help="quiet that ends a short answer (default 1.2; 1.5 on a walk); "
                           "open questions wait at least 2.0 (2.5 on a walk)")
    talk.set_defaults(run=cmd_talk)

    progress = sub.add_parser(
        "progress", help="see your agreements and exercises per week in the browser")
    _screen_options(progress)
    progress.set_defaults(run=cmd_progress)

    sub.add_parser("voices", help="list the voices the guide can speak with").set_defaults(
        run=cmd_voices)

    sub.add_parser("devices", help="list microphones and speakers").set_defaults(
        run=cmd_devices)

    model = sub.add_parser("model", help="the speech model").add_subparsers(
        dest="model_command", required=True)
    fetch = model.add_parser("download", help="download the small English Vosk model")
    fetch.add_argument("--to", metavar="DIR", help="where to put it (default: data directory)")
    fetch.add_argument("--url", help="a mirror of the model archive")
    fetch.add_argument("--sha256", help="the mirror archive's SHA-256")
    fetch.set_defaults(run=cmd_model_download)

    transcribe = sub.add_parser("transcribe", help="print what the speech model hears in a WAV")
    transcribe.add_argument("file", metavar="FILE.wav")
    transcribe.add_argument("--model", metavar="PATH")
    transcribe.add_argument("--grammar", metavar="PHRASES",
                            help='only these phrases, separated by |, like "yes|no"')
    transcribe.set_defaults(run=cmd_transcribe)

    sub.add_parser("exercises", help="list the exercises").set_defaults(run=cmd_exercises)

    lint = sub.add_parser("lint", help="check exercise files for mistakes")
    lint.add_argument("paths", nargs="*", metavar="PATH",
                      help="exercise files, a folder of them, or a content folder")
    lint.add_argument("--turns", action="store_true",
                      help="also list the longest turn heard from each step, per platform, "
                           "longest first: words, the most allowed (about 45, 25 on a walk), "
                           "the longest stretch without a pause (30 at most), and the steps "
                           "whose words it joins")
    lint.set_defaults(run=cmd_lint)

    draw = sub.add_parser("draw", help="print a flow diagram (Mermaid) of an exercise")
    draw.add_argument("flow", metavar="ID", help="an exercise id, or welcome")
    draw.set_defaults(run=cmd_draw)

    rehearse = sub.add_parser("rehearse", help="play conversation test files against the guide")
    rehearse.add_argument("paths", nargs="+", metavar="PATH")
    rehearse.add_argument("-v", "--verbose", action="store_true",
                          help="show the whole conversation of a failing file")
    rehearse.set_defaults(run=cmd_rehearse)

    serve = sub.add_parser("serve", help="serve the Alexa skill over HTTP (POST /alexa)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=cmd_serve)

    export_skill = sub.add_parser("export-skill",
                                  help="write the Alexa skill package as an ASK CLI project")
    export_skill.add_argument("folder", metavar="DIR")
    export_skill.add_argument("--endpoint", help="https URL of POST /alexa, or a Lambda ARN "
                                                 "(or COUPLECARE_ENDPOINT)")
    export_skill.add_argument("--privacy-url", help="or COUPLECARE_PRIVACY_URL")
    export_skill.add_argument("--terms-url", help="or COUPLECARE_TERMS_URL")
    export_skill.set_defaults(run=cmd_export_skill)

    agreements = sub.add_parser(
        "agreements", help="what you agreed (promises, plans, kindnesses) and your progress")
    agreements.set_defaults(run=cmd_agreements)

    data = sub.add_parser("data", help="your stored progress").add_subparsers(
        dest="data_command", required=True)
    export = data.add_parser("export", help="print everything stored, as JSON")
    export.add_argument("--output", "-o", metavar="FILE")
    export.set_defaults(run=cmd_data_export)
    forget = data.add_parser("forget", help="delete everything stored")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.set_defaults(run=cmd_data_forget)
    return top


def _package_errors() -> tuple[type[Exception], ...]:
    """Errors a person can act on; imported only once a command has failed."""
    from dialogs.source import DefinitionError
    from dialogs.store import StoreError

    return DefinitionError, StoreError


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.content and not Path(args.content).is_dir():
            raise UserError(f"--content {args.content}: there is no such folder. It should "
                            "hold the exercises (exercises/*.yaml) and may hold its own "
                            "vocabulary.yaml, messages.yaml and welcome.yaml.")
        return args.run(args)
    except (UserError, *_package_errors()) as error:
        problems = getattr(error, "problems", None)
        if problems is not None:
            print("The exercise definitions have problems:", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
        else:
            print(error, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped early (`couplecare data export | head`); it has what it wanted.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
