"""Lambda entry points, one module per function. The template names `<module>.handler`."""
