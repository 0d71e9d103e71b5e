"""The Standard method: post tasks (up to 100 a request), then collect them when ready.

- :mod:`.handle`: what identifies a posted task (``TaskHandle``, id format, tags, prices);
- :mod:`.journal`: intents and handles written as they happen, and the file journal's
  lock (one writer per journal file);
- :mod:`.protocol`: the pure decisions: chunks, posted handles, the collect steps, a
  re-run's plan (what is known, what is in doubt, recovery by tag) and a submission as
  steps (check, tag, reserve, post, place the handles);
- :mod:`.queue`: the blocking and the async calls those steps need, and the queue on raw
  task dicts (post, recover, collect);
- :mod:`.context`: the collaborators a submission is given (builder, client, budget, poll
  settings), so nothing here knows the chat model;
- :mod:`.runner`: the one sync and one async driver of submit and collect (through
  ``langchain_dataforseo._transport.drive``), what a collected task becomes (a message or
  an error, settled), and one LangChain run per prompt;
- :mod:`.methods`: the chat model's public Standard calls.
"""
