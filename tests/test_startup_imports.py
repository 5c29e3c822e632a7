"""What a command imports before it does anything: the text front end never loads the web
service or the Alexa SDK, and `--help` loads next to nothing. Read from `-X importtime`, the
interpreter's own list of every module a real run imported."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
WEB_AND_ALEXA = ("flask", "werkzeug", "ask_sdk_core", "ask_sdk_model", "ask_sdk_runtime",
                 "cryptography")


def imported(*args: str, stdin: str = "", data_dir: Path, cache_dir: Path | None = None,
             ) -> set[str]:
    env = {**os.environ, "COUPLECARE_DATA_DIR": str(data_dir)}
    if cache_dir is not None:
        env["COUPLECARE_CACHE_DIR"] = str(cache_dir)
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "couplecare.cli", *args],
                         input=stdin, capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in run.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_the_text_front_end_never_imports_the_web_service_or_the_alexa_sdk(tmp_path):
    modules = imported("talk", "--text", stdin="yes\nyes\nSam\nAlex\n", data_dir=tmp_path)
    assert "local_voice.text" in modules and "dialogs.engine" in modules  # it did talk
    assert not top_level(modules) & set(WEB_AND_ALEXA)


def test_the_first_prompt_from_the_kept_book_reads_no_yaml(tmp_path):
    """With the checked book in the cache, nothing is parsed before the first prompt: the
    YAML reader and the sample-sentence templates are loaded only when a file is read."""
    cache = tmp_path / "cache"
    imported("talk", "--text", data_dir=tmp_path / "first", cache_dir=cache)  # fills it
    modules = imported("talk", "--text", data_dir=tmp_path / "second", cache_dir=cache)
    assert "dialogs.book_cache" in modules and "dialogs.engine" in modules
    assert not top_level(modules) & {"yaml", "hassil"}


def test_help_imports_none_of_the_packages(tmp_path):
    modules = top_level(imported("--help", data_dir=tmp_path))
    heavy = {"dialogs", "local_voice", "progress", "skill", "rehearsal", "pydantic", "yaml",
             "hassil", "lemminflect", "numpy", "rapidfuzz", "num2words", "sqlite3",
             *WEB_AND_ALEXA}
    assert not modules & heavy
    assert "couplecare" in modules


def test_the_web_service_alone_does_not_load_the_definitions():
    """Another skill served by the same Flask code (as the benchmark's bare skill is) pays
    only for the web service; the definitions, the engine and the store come with ours."""
    code = ("import sys; sys.path.insert(0, 'bench'); import hello_skill; "
            "from rehearsal.alexa_requests import envelope, launch_request; "
            "from skill.app import create_app; "
            "app = create_app({'VERIFY_REQUESTS': False, 'SKILL': hello_skill.hello_skill()}); "
            "answer = app.test_client().post('/alexa', json=envelope(launch_request())); "
            "assert answer.status_code == 200, answer.data; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] "
            "in ('dialogs', 'progress', 'pydantic', 'yaml', 'lemminflect')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_the_skill_reads_the_same_database_setting_as_the_stores():
    import progress
    import skill.app

    assert skill.app.DATABASE_VARIABLE == progress.DATABASE_VARIABLE
