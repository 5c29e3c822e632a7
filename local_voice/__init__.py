"""The local front ends: text, and the offline voice loop (Vosk + pyttsx3)."""

WALK_EXERCISE = "walk-gentle-start"
"""The solo exercise `couplecare talk --walk` starts."""
