"""Rehearsals: conversation files played through the guide's front ends.

`script` is the file format, `runner` plays files with a driver, and each `*_driver`
module plays them through one front end: the engine, the text front end, the voice loop
with scripted recognition, and the Alexa endpoint. `alexa_requests` builds the requests
Alexa sends, for the Alexa driver, tests and benchmarks.
"""
