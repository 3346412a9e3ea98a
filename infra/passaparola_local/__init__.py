"""The local stack and developer commands: the same functions on moto, from the same template."""
