"""How a call travels (L2): the only sockets, sleeps and httpx clients."""
