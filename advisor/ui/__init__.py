"""The Streamlit layer: one module per page plus shared state, widgets and charts."""
