"""Teachers' exams: blueprints, per-student variants, the manifest and the grading key."""
