"""The repository the site tests document: two Python packages, one importing the other, a README
with a banner and an install command, an environment variable with a default and an HTTP route."""

README = """[![build](https://example.invalid/badge.svg)](https://example.invalid/ci)

This README reflects the latest changes.

Shop is a small store that sells widgets over HTTP.

## Installation

```sh
pip install -e .
```
"""

MODULES = {
    "shop": {
        "__init__.py": (
            '"""The catalogue and its prices."""\n'
            "\n"
            "\n"
            "class Widget:\n"
            '    """A thing for sale, priced in cents."""\n'
            "\n"
            "    def price(self):\n"
            '        """The price in cents."""\n'
            "        return 1\n"
            "\n"
            "\n"
            'def cheapest(items: "list[Widget]") -> "Widget":\n'
            '    """Finds the least expensive widget of a basket."""\n'
            "    return min(items, key=lambda w: w.price())\n"
        ),
    },
    "api": {
        "__init__.py": (
            '"""HTTP API of the shop."""\n'
            "\n"
            "import os\n"
            "\n"
            "from shop import Widget, cheapest\n"
            "\n"
            'LISTEN_PORT = os.environ.get("SHOP_PORT", "8080")\n'
            "\n"
            "\n"
            "def best(w: Widget) -> Widget:\n"
            '    """Picks the best widget."""\n'
            "    return cheapest([w])\n"
            "\n"
            "\n"
            '@app.get("/widgets/cheapest")\n'
            "def cheapest_widget():\n"
            '    """The cheapest widget, as JSON."""\n'
            "    return best(Widget())\n"
        ),
    },
}
