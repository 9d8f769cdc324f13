"""Running a search: the one loop (propose -> screen -> evaluate -> record), its
executors, `search` (the main job), choosing the result, and the run directory."""
