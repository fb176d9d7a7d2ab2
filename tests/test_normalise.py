from __future__ import annotations

from xl_upr.normalise import clean, is_state, split_states, terms


def test_nested_and_several_states_are_split_off():
    assert split_states("Ratify CRPD (Iran (Islamic Republic of)) (Spain);") == \
        ("Ratify CRPD", ("Iran (Islamic Republic of)", "Spain"))
    assert split_states("Ratify OP-ICESCR (Portugal, Slovakia);")[1] == ("Portugal", "Slovakia")


def test_state_names_containing_and_are_kept_whole():
    _, states = split_states("Improve prisons (Bosnia and Herzegovina) (United Kingdom of Great Britain and "
                             "Northern Ireland);")
    assert states == ("Bosnia and Herzegovina", "United Kingdom of Great Britain and Northern Ireland")


def test_non_state_parentheses_stay_in_the_text():
    text = "Ratify the Protocol to the Forced Labour Convention, 1930 (No. 29) (Ukraine);"
    assert clean(text) == "Ratify the Protocol to the Forced Labour Convention, 1930 (No. 29)"
    assert not is_state("No. 29")


def test_instrument_names_and_acronyms_meet():
    long = terms("To consider adhering to the International Convention on the Protection of the Rights of All "
                 "Migrant Workers and Members of Their Families (Algeria);")
    short = terms("Ratify ICRMW (Chile)")
    assert "zzicrmw" in long and "zzicrmw" in short
    assert "ratifi" in long  # "adhering to" means ratify
    assert "zziccprop2" in terms("Kazakhstan was invited to consider ratifying ICCPR-OP 2.")
    assert "zziccprop2" in terms("Ratify the Second Optional Protocol to the International Covenant on Civil and "
                                 "Political Rights, aiming at the abolition of the death penalty")


def test_optional_protocol_is_not_its_parent_treaty():
    assert "zzopcat" in terms("Ratify OP-CAT") and "zzcat" not in terms("Ratify OP-CAT")
    assert "zzopcat" in terms("Ratify the Optional Protocol to the Convention against Torture")


def test_word_forms_and_states_in_running_text():
    assert set(terms("disabled children")) >= {"disabl", "child"}
    assert set(terms("children with disabilities")) >= {"disabl", "child"}
    assert "zzstate" in terms("Kazakhstan's international obligations")
    assert {"abolit", "death"} <= set(terms("Abolish capital punishment")) & set(terms("Abolish the death penalty"))


def test_many_texts_at_once_equal_one_by_one(kaz2014):
    import numpy as np
    from conftest import COMPILATION_2010

    from xl_upr.importers import read_document
    from xl_upr.normalise import terms_many

    texts = [r.text for r in kaz2014] + [r.text for r in read_document(COMPILATION_2010).records]
    texts += ["", "(Spain)", "Ratify CRPD", "x\x00y", "OP-CAT—“quoted”  and   spaced", "non-\n governmental"]
    names, ids, docs = terms_many(texts)
    assert list(np.unique(docs)) == sorted(set(docs.tolist()))
    for d, text in enumerate(texts):
        assert [names[i] for i in ids[docs == d]] == terms(text.replace("\x00", " ")), text


def test_phrase_gates_never_skip_a_match(kaz2014):
    from xl_upr import normalise as N

    for r in kaz2014:
        low = N._plain(r.text)
        ungated = low
        for pattern, replacement in N._PHRASES:
            ungated = " ".join(pattern.sub(replacement, ungated).split())
        assert N._phrases(low) == ungated.strip(), r.text


def test_a_phrase_pattern_is_skipped_only_where_it_cannot_match(kaz2014):
    """`_needs` reads the literals off each pattern's parse: wherever a pattern matches a real
    text, that text holds them (and most texts are skipped by most patterns)."""
    from conftest import COMPILATION_2010

    from xl_upr import normalise as N
    from xl_upr.importers import read_document

    texts = [N._plain(r.text) for r in kaz2014 + read_document(COMPILATION_2010).records]
    matched = skipped = 0
    for i, (pattern, _replacement) in enumerate(N._PHRASES):
        for low in texts:
            if pattern.search(low):
                matched += 1
                assert N._may_match(i, low), (pattern.pattern, low)
            elif not N._may_match(i, low):
                skipped += 1
    assert matched > 50 and skipped > 0.8 * len(texts) * len(N._PHRASES)
