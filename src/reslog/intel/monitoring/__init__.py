"""Mine-site environmental monitoring: ingest rules, quality control, exceedances, early warning,
heat maps, GISTM triggers and the MQTT listener. See docs/monitoring.md."""
