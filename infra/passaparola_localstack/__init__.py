"""The local stack: the site and the same functions on moto, built from the same template."""
