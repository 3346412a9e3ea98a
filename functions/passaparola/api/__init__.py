"""The HTTP API: powertools routers, request and response models, and the error mapping."""
