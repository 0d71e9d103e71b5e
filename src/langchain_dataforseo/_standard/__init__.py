"""The Standard method: post tasks (up to 100 a request), then collect them when ready.

- :mod:`.handle`: what identifies a posted task (``TaskHandle``, id format, tags, prices);
- :mod:`.protocol`: the pure protocol (chunks, posted handles, the collect steps);
- :mod:`.journal` and :mod:`.resume`: intents and handles written as they happen, and a
  re-run's plan (what is known, what is in doubt, recovery by tag);
- :mod:`.submission`: a submission as steps (check, tag, reserve, post, place the handles);
- :mod:`.outcomes`: what a collected task becomes (a message or an error, settled);
- :mod:`.io`: the blocking and the async calls those steps need;
- :mod:`.context`: the collaborators a submission is given (builder, client, budget, poll
  settings), so nothing here knows the chat model;
- :mod:`.runner`: the one sync and one async driver of submit and collect (through
  ``langchain_dataforseo._transport.drive``); :mod:`.runs`: one LangChain run per prompt.
"""
