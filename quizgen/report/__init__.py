"""`quizgen report`: what a class got wrong, by misconception, from the LMS's own results.

Rooms: `results` (an LMS's export, reader-neutral), `moodle` (reads Moodle's CSV reports; a new LMS
is one such module), `bank` (the quizgen questions the quiz drew from), `classify` (each response
tied to its question and classified), `stats` (the tables), `output` (terminal, HTML, CSV, JSON).
"""
