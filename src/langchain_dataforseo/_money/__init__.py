"""Reserve, settle, hold (L2): the budget, Live calls paid for, batch order."""
