"""reslog — Resource Logistics.

The risks hidden behind mineral resources: exposure (MRIO footprints), shocks,
watch (news, imagery, sensors), criticality and provenance.

Layers (one direction of flow): ``sources`` → ``store`` → ``model`` →
``cli``/``api``/``report``/``web``; ``intel`` writes risk events through ``store``.
"""

__version__ = "0.1.0"
