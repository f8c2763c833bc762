"""Every chart built once, as a plotly figure (or a matplotlib file for static output).

The HTML report, the CLI and the dashboard all call these functions; none of them draws a chart
of its own. Inputs are the tables that ``model/`` returns; nothing here computes an analysis.
"""
