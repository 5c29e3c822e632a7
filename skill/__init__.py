"""The Alexa front end: ask-sdk-core handlers and a Flask app that serves them."""
