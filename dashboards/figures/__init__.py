"""Pure figure builders, one module per page area: data in (a run result or a summary of it),
a plotly Figure out. `style` holds the shared look (theme, scenario colours, budget lines)."""
