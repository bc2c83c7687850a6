"""The pieces of bench/run: processes and temp dirs (common), the servers the cluster shapes need
(servers), the platform shapes and their seed data (platform), the load generators (load), the
scenarios (scenarios) and the report (report)."""
