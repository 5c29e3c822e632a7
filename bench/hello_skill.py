"""The baseline of bench/alexa.py: a bare ask-sdk-core skill that only says hello."""

from typing import Any

from ask_sdk_core.skill_builder import SkillBuilder


def hello_skill() -> Any:
    builder = SkillBuilder()

    @builder.request_handler(can_handle_func=lambda handler_input: True)
    def hello(handler_input: Any) -> Any:
        return handler_input.response_builder.speak("Hello.").ask("Hello?").response

    return builder.create()
