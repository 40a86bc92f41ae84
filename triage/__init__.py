"""ALS red-flag triage: a questionnaire that says how urgently to get medical evaluation.

It never gives a diagnosis. The rule book (rules.yaml) holds every question, rule and sentence;
`triage.rulebook` loads it, `triage.engine` assesses answers, `triage.cli` is the command line.
"""
