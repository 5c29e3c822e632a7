"""Sound devices through sounddevice (PortAudio): listing, the microphone, the speaker."""

from __future__ import annotations

import queue
import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import Any

from local_voice.audio import Audio

FRAME_SECONDS = 0.03


class DeviceError(Exception):
    """No usable sound device, or one that went away; the message says what to do."""


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as error:  # PortAudio itself is missing
        raise DeviceError("Sound devices need PortAudio. On Debian or Ubuntu install it with: "
                          f"sudo apt-get install libportaudio2 ({error})") from None
    return sounddevice


SERVER_DOWN = ("The sound server (PulseAudio or PipeWire) is not running, so no microphone "
               "or speaker can be reached. Start it, for example with `pulseaudio --start` or "
               "`systemctl --user start pipewire-pulse`, then try again; or use the text mode: "
               "couplecare talk --text")


def sound_server_down() -> bool:
    """Whether this machine routes sound through a sound server that does not answer.

    With PulseAudio (or PipeWire's stand-in) down, PortAudio simply lists no device, which
    looks like a machine with no microphone; `pactl` tells the two apart."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return False
    try:
        return subprocess.run([pactl, "info"], capture_output=True, timeout=5).returncode != 0
    except (OSError, subprocess.TimeoutExpired):
        return True


def no_device_reason(kind: str) -> str:
    """Why no sound device of this kind ("input", "output", or "sound") can be used."""
    if sound_server_down():
        return SERVER_DOWN
    wanted = {"input": "a microphone", "output": "speakers or headphones"}.get(
        kind, "a microphone and speakers")
    return (f"No sound {kind} device was found. Connect {wanted} (a headset does both), or "
            "use the text mode: couplecare talk --text")


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    rate: int


def list_devices() -> list[Device]:
    sd = _sounddevice()
    return [Device(i, d["name"], d["max_input_channels"], d["max_output_channels"],
                   int(d["default_samplerate"])) for i, d in enumerate(sd.query_devices())]


def _pick(device: str | int | None, kind: str) -> Device:
    sd = _sounddevice()
    devices = list_devices()
    usable = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
    if not usable:
        raise DeviceError(no_device_reason(kind))
    if device is None:
        default = sd.default.device[0 if kind == "input" else 1]
        chosen = next((d for d in usable if d.index == default), usable[0])
        return chosen
    if isinstance(device, int) or str(device).isdigit():
        chosen = next((d for d in usable if d.index == int(device)), None)
    else:
        chosen = next((d for d in usable if str(device).lower() in d.name.lower()), None)
    if chosen is None:
        raise DeviceError(f"There is no {kind} device {device!r}. Run `couplecare devices` "
                          "to see them.")
    return chosen


class Microphone:
    """A raw 16-bit mono stream at the device's own rate, in 30 ms frames; muted on request."""

    def __init__(self, device: str | int | None = None):
        sd = _sounddevice()
        self.device = _pick(device, "input")
        self.rate = self.device.rate
        self.frame_bytes = 2 * round(self.rate * FRAME_SECONDS)
        self._frames: queue.Queue[bytes] = queue.Queue()
        self._muted = False
        try:
            self._stream = sd.RawInputStream(
                samplerate=self.rate, channels=1, dtype="int16", device=self.device.index,
                blocksize=self.frame_bytes // 2, callback=self._callback)
            self._stream.start()
        except Exception as error:  # PortAudio raises its own error kinds
            raise DeviceError(f"The microphone {self.device.name!r} could not be opened "
                              f"({error}).") from None

    def _callback(self, data: Any, frames: int, when: Any, status: Any) -> None:
        if not self._muted:
            self._frames.put(bytes(data))

    def frame(self) -> bytes | None:
        """The next 30 ms of sound (waits for it); raises DeviceError if the device is gone."""
        while True:
            try:
                return self._frames.get(timeout=2.0)
            except queue.Empty:
                if not self._stream.active:
                    raise DeviceError(f"The microphone {self.device.name!r} stopped "
                                      "working.") from None
                if self._muted:
                    continue
                raise DeviceError(f"No sound is arriving from {self.device.name!r}; "
                                  "it may have been unplugged.") from None

    def mute(self) -> None:
        self._muted = True

    def unmute(self, guard_seconds: float = 0.0) -> None:
        """Listen again after `guard_seconds`, dropping what was heard meanwhile (the echo)."""
        time.sleep(guard_seconds)
        while not self._frames.empty():
            self._frames.get_nowait()
        self._muted = False

    def close(self) -> None:
        self._stream.close()


class Speaker:
    def __init__(self, device: str | int | None = None):
        self.sd = _sounddevice()
        self.device = _pick(device, "output")

    def play(self, audio: Audio) -> None:
        try:
            self.sd.play(audio.samples(), audio.rate, device=self.device.index, blocking=True)
        except Exception as error:  # PortAudio raises its own error kinds
            raise DeviceError(f"The speaker {self.device.name!r} stopped working "
                              f"({error}).") from None
