"""HTTP handlers, one module per area; `app.routes` wires them to paths."""
