"""What we send and what comes back (L1, pure): fields, requests, catalogue, answers."""
