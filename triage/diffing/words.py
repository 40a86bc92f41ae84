"""What changed between two rule books, in words: the questions, rules and levels added, removed or
changed, and every text reworded, in each voice; worded through a catalog's gettext (English as
written by default) and quoting the new rule book in the language asked."""

from __future__ import annotations

from collections.abc import Iterator

from triage.in_words import Gettext, as_written, in_words
from triage.rulebook import VOICES, Question, Rulebook


def _answers(q: Question) -> str:
    return f"{q.minimum}-{q.maximum}" if q.kind == "number" else ", ".join(q.values)


def changes(
    old: Rulebook, new: Rulebook, gettext: Gettext = as_written, shown: Rulebook | None = None
) -> Iterator[tuple[str, str]]:
    """Every question, rule, level and text added, removed or changed from `old` to `new`, as
    (heading, line), in the words of `gettext`; with `shown` (`new` in another language), its
    questions and texts are quoted in that language (what `old` had is quoted as it was)."""
    words = shown or new
    oq, nq, wq = old.question_by_id, new.question_by_id, words.question_by_id
    head = gettext("Questions")
    for q in new.questions:
        if q.id not in oq:
            line = gettext("added `%(id)s` (%(kind)s: %(answers)s): “%(text)s”")
            line %= {"id": q.id, "kind": q.kind, "answers": _answers(q), "text": wq[q.id].staff}
            if q.ask_when:
                line += ", " + gettext("asked when %(condition)s") % {"condition": in_words(q.ask_when, words, gettext)}
            yield head, line
    for q in old.questions:
        if q.id not in nq:
            line = gettext("removed `%(id)s` (%(kind)s: %(answers)s): “%(text)s”")
            yield head, line % {"id": q.id, "kind": q.kind, "answers": _answers(q), "text": q.staff}
    always = gettext("always")
    for q in new.questions:
        if q.id in oq:
            earlier = oq[q.id]
            if earlier.values != q.values or earlier.kind != q.kind:
                line = gettext("`%(id)s` answers %(was)s → %(now)s")
                yield head, line % {"id": q.id, "was": ", ".join(earlier.values), "now": ", ".join(q.values)}
            if earlier.section != q.section:
                line = gettext("`%(id)s` moved from section `%(was)s` to `%(now)s`")
                yield head, line % {"id": q.id, "was": earlier.section, "now": q.section}
            if earlier.ask_when != q.ask_when:
                was = in_words(earlier.ask_when, old, gettext) if earlier.ask_when else always
                now = in_words(q.ask_when, words, gettext) if q.ask_when else always
                yield head, gettext("`%(id)s` asked %(was)s → %(now)s") % {"id": q.id, "was": was, "now": now}
    head = gettext("Rules")
    orules, nrules = {r.id: r for r in old.rules}, {r.id: r for r in new.rules}
    for rule in new.rules:
        if rule.id not in orules:
            line = gettext("added `%(id)s`: if %(condition)s → %(level)s")
            yield head, line % {"id": rule.id, "condition": in_words(rule.when, words, gettext), "level": rule.level.id}
    for rule in old.rules:
        if rule.id not in nrules:
            line = gettext("removed `%(id)s`: if %(condition)s → %(level)s")
            yield head, line % {"id": rule.id, "condition": in_words(rule.when, old, gettext), "level": rule.level.id}
    for rule in new.rules:
        earlier_rule = orules.get(rule.id)
        if earlier_rule is None:
            continue
        if earlier_rule.level.id != rule.level.id:
            line = gettext("`%(id)s` level %(was)s → %(now)s")
            yield head, line % {"id": rule.id, "was": earlier_rule.level.id, "now": rule.level.id}
        if earlier_rule.when != rule.when:
            line = gettext("`%(id)s` now fires if %(condition)s (was: %(was)s)")
            yield (
                head,
                line
                % {
                    "id": rule.id,
                    "condition": in_words(rule.when, words, gettext),
                    "was": in_words(earlier_rule.when, old, gettext),
                },
            )
    head = gettext("Levels")
    for level in new.levels:
        before = old.level_by_id.get(level.id)
        if before is not None and len(before.variants) != len(level.variants):
            line = gettext("`%(id)s` has %(now)s variant(s) for an audience (was %(was)s)")
            yield head, line % {"id": level.id, "now": len(level.variants), "was": len(before.variants)}
    if shown is not None and shown.language != new.language:
        return  # the texts changed in that language are `text_changes`' (the English ones are not shown)
    for voice in VOICES:
        ob, nb = old.in_voice(voice), new.in_voice(voice)
        head = gettext("Texts changed, %(voice)s voice") % {"voice": voice}
        for where, was, now in _texts(ob, nb, gettext):
            if was != now:
                yield head, f"{where}: “{was}” → “{now}”"


def text_changes(old: Rulebook | None, new: Rulebook, gettext: Gettext = as_written) -> Iterator[tuple[str, str]]:
    """The texts changed in another language (`new.language`), voice by voice; `old` None: the
    earlier rule book had no catalog for it."""
    if old is None:
        yield (
            gettext("Texts changed, %(language)s") % {"language": new.language},
            gettext("every text is new: the earlier rule book had no %(language)s catalog")
            % {"language": new.language},
        )
        return
    for voice in VOICES:
        ob, nb = old.in_voice(voice), new.in_voice(voice)
        head = gettext("Texts changed, %(language)s, %(voice)s voice") % {"language": new.language, "voice": voice}
        for where, was, now in _texts(ob, nb, gettext):
            if was != now:
                yield head, f"{where}: “{was}” → “{now}”"


def _texts(old: Rulebook, new: Rulebook, gettext: Gettext = as_written) -> Iterator[tuple[str, str, str]]:
    yield gettext("disclaimer"), old.meta.disclaimer, new.meta.disclaimer
    fields = {
        "title": gettext("title"),
        "action": gettext("what to do"),
        "timeframe": gettext("when"),
        "visitor": gettext("message"),
        "safety_net": gettext("safety net"),
    }
    for level in new.levels:
        earlier_level = old.level_by_id.get(level.id)
        if earlier_level is not None:
            for key, name in fields.items():
                where = gettext("level `%(id)s`, %(field)s") % {"id": level.id, "field": name}
                yield where, getattr(earlier_level, key), getattr(level, key)
    oq = old.question_by_id
    for q in new.questions:
        earlier = oq.get(q.id)
        if earlier is not None:
            yield gettext("question `%(id)s`") % {"id": q.id}, earlier.text, q.text
            yield gettext("hint of `%(id)s`") % {"id": q.id}, earlier.hint or "", q.hint or ""
            yield gettext("message if missing, `%(id)s`") % {"id": q.id}, earlier.error, q.error
    orules = {r.id: r for r in old.rules}
    for rule in new.rules:
        before_rule = orules.get(rule.id)
        if before_rule is not None:
            yield gettext("reason of `%(id)s`") % {"id": rule.id}, before_rule.reason, rule.reason
