"""The Standard method: post tasks (up to 100 a request), then collect them when ready.

- :mod:`.handle`: what identifies a posted task (``TaskHandle``, id format, tags, prices);
- :mod:`.protocol`: the pure protocol (chunks, posted handles, the collect steps);
- :mod:`.journal` and :mod:`.resume`: intents and handles written as they happen, and a
  re-run's plan (what is known, what is in doubt, recovery by tag);
- :mod:`.io`: the one sync and one async driver of those steps;
- :mod:`.context`: the collaborators a submission is given (builder, client, budget, poll
  settings), so nothing here knows the chat model;
- :mod:`.runner`: submit / collect orchestration; :mod:`.runs`: one LangChain run per prompt.
"""
