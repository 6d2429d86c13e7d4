"""Room 0: what every room may use — exact numbers, name hints, pausing the collector.

Nothing here imports anything else of the project.
"""
