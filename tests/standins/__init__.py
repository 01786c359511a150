"""Local stand-ins for services the tests cannot reach (GitHub's REST API and git over HTTPS, an LLM API), speaking their real protocols."""
