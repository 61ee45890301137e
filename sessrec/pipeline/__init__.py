"""The main job and its helpers: `sessrec run`, `recommend`, `sweep`, reports and plots."""
