"""Pure domain logic: no I/O, no AWS, no clock except what callers pass in."""
