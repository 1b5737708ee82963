"""The function URL data plane: ``{url-id}.lambda-url.{region}.localhost`` on the gateway port."""
