"""The safety check, its concepts file and its labelled sentences."""

from pathlib import Path

from dialogs.safety.detector import (
    CONCEPTS_DIR,
    CompiledConcepts,
    Concern,
    SafetyDetector,
    check,
    concepts_files,
    default_detector,
    load_detector,
)

SAFETY_DIR = Path(__file__).parent

__all__ = ["CONCEPTS_DIR", "SAFETY_DIR", "CompiledConcepts", "Concern", "SafetyDetector",
           "check", "concepts_files", "default_detector", "load_detector"]
