"""The rule book in words, as the clinical lead reads it in `triage report` and `triage diff`:
conditions as sentences, an example's answers, the policy's rows changed; the questions and answers
as staff read them, in the language of the rule book given, and the connecting words through a
catalog's gettext (English as written by default)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from triage.conditions import All, Answered, AnyOf, Compare, Condition, Includes, Not, OneOf
from triage.rulebook import Rulebook

Gettext = Callable[[str], str]  # a catalog's gettext: the report's own words in its language


def as_written(text: str) -> str:
    return text


def voice_names(gettext: Gettext = as_written) -> dict[str, str]:
    return {
        "self": gettext("To the person"),
        "other": gettext("To someone answering for them"),
        "staff": gettext("Staff on the phone"),
    }


def in_words(condition: Condition, book: Rulebook, gettext: Gettext = as_written) -> str:
    """A condition as a sentence, with the questions and answers as staff read them (in the
    language of `book` and of `gettext`)."""
    staff = book.in_voice("staff")
    if isinstance(condition, All | AnyOf):
        joiner = " " + (gettext("and") if isinstance(condition, All) else gettext("or")) + " "
        parts = [in_words(part, book, gettext) for part in condition.parts]
        return joiner.join(
            f"({p})" if isinstance(q, All | AnyOf) else p for p, q in zip(parts, condition.parts, strict=True)
        )
    if isinstance(condition, Not):
        return gettext("not (%(condition)s)") % {"condition": in_words(condition.part, book, gettext)}
    question = staff.question_by_id[getattr(condition, "question", "")]
    text = question.text
    if isinstance(condition, OneOf):
        chosen = [quoted(question.label(v), gettext) for v in question.values if v in condition.values]
        answers = (" " + gettext("or") + " ").join(chosen)
        return gettext("“%(question)s” is %(answers)s") % {"question": text, "answers": answers}
    if isinstance(condition, Includes):
        answer = question.label(condition.value)
        return gettext("“%(question)s” includes “%(answer)s”") % {"question": text, "answer": answer}
    if isinstance(condition, Compare):
        tests = {
            "less_than": gettext("“%(question)s” is less than %(bound)s"),
            "at_most": gettext("“%(question)s” is at most %(bound)s"),
            "more_than": gettext("“%(question)s” is more than %(bound)s"),
            "at_least": gettext("“%(question)s” is at least %(bound)s"),
        }
        return tests[condition.test] % {"question": text, "bound": condition.bound}
    if isinstance(condition, Answered):
        said = (
            gettext("“%(question)s” is answered") if condition.expected else gettext("“%(question)s” is not answered")
        )
        return said % {"question": text}
    raise TypeError(f"not a condition: {condition!r}")


def quoted(text: str, gettext: Gettext) -> str:
    return gettext("“%(answer)s”") % {"answer": text}


def example_in_words(answers: Mapping[str, Any], books: Iterable[Rulebook], gettext: Gettext = as_written) -> str:
    """The answers of an example that report something, as staff read the questions and answers.
    A new answer that replaces an old one says which (the old rule book was given that one)."""
    staff = [book.in_voice("staff") for book in books]
    said = []
    for qid, value in answers.items():
        if value in ("no", "none"):
            continue
        question = next((b.question_by_id[qid] for b in reversed(staff) if qid in b.question_by_id), None)
        if question is None:
            continue
        earlier = staff[0].question_by_id.get(qid) if len(staff) > 1 else None
        labels = []
        for v in value if isinstance(value, list) else [value]:
            label = quoted(question.label(v) if v in question.values else str(v), gettext)
            option = next((o for o in question.options if o.value == v), None)
            if earlier is not None and option is not None and v not in earlier.values and option.replaces:
                was = (" " + gettext("or") + " ").join(
                    quoted(earlier.label(r), gettext) for r in option.replaces if r in earlier.values
                )
                label += (" " + gettext("(before: %(answers)s)") % {"answers": was}) if was else ""
            labels.append(label)
        said.append(gettext("“%(question)s” %(answers)s") % {"question": question.text, "answers": ", ".join(labels)})
    return "; ".join(said) or gettext("every answer no or none")


def policy_changes(
    old: Rulebook, new: Rulebook, gettext: Gettext = as_written, shown: Rulebook | None = None
) -> list[tuple[str, str]]:
    """The rows of the clinical policy added, changed or removed since `old`, in words: those of
    `shown` (`new` in another language) when given."""
    before = {row.id: row for row in old.policy.minimum_levels}
    after = {row.id: row for row in new.policy.minimum_levels}
    words = shown or new
    said = {row.id: row.says for row in words.policy.minimum_levels}
    found = []
    for row_id, row in after.items():
        was = before.get(row_id)
        now = gettext("%(says)s → at least %(level)s (when %(condition)s)") % {
            "says": said.get(row_id, row.says),
            "level": row.at_least.id,
            "condition": in_words(row.when, words, gettext),
        }
        if was is None:
            found.append((gettext("Added"), now))
        elif (was.says, was.at_least.id, was.when) != (row.says, row.at_least.id, row.when):
            then = gettext("%(says)s → at least %(level)s") % {"says": was.says, "level": was.at_least.id}
            found.append((gettext("Changed"), gettext("%(now)s; was: %(then)s") % {"now": now, "then": then}))
    found += [
        (gettext("Removed"), gettext("%(says)s → at least %(level)s") % {"says": row.says, "level": row.at_least.id})
        for i, row in before.items()
        if i not in after
    ]
    return found
