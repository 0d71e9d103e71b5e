"""The chat model's helpers (L4): its fields, checks, outputs and LangChain glue."""
