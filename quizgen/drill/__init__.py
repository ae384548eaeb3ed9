"""The terminal drill: the session, answer parsing, and the progress it saves."""
