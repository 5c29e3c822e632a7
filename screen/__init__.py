"""The companion screen: a small page on this machine beside the voice or text
conversation (captions, the timer, buttons) and the couple's progress at a glance.

Served by Flask on the loopback address only, behind a random token made for each run."""

DEFAULT_PORT = 8765
