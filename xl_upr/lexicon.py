"""General UN human-rights vocabulary: instruments and their acronyms, States, boilerplate.

Data only. Each entry is general domain knowledge (how the UN names its treaties and
mechanisms, which words every recommendation shares), never a phrase taken from a test set.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------
# Instruments and mechanisms.  Each: (concept token, display name, topic words, long-form
# regex patterns (lower case, matched case-insensitively), acronyms (matched case-sensitively)).
# The concept token stands in for the name; the topic words keep a link to recommendations
# that speak of the same subject without naming the instrument.  Order matters: optional
# protocols come before the treaty they belong to.
# ---------------------------------------------------------------------------------------
_OP = r"(?:first |second |third )?optional protocols? (?:to|of) (?:the )?"
_CRC = r"(?:convention on )?(?:the )?rights of the child"

INSTRUMENTS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("zziccprop2", "ICCPR-OP2", "death penalty abolition",
     (r"second optional protocol (?:to|of) (?:the )?(?:international )?covenant on civil and political rights"
      r"(?:,? aiming at the abolition of the death penalty)?",
      r"second optional protocol (?:to|of) (?:the )?(?:iccpr|zziccpr)",
      r"optional protocol (?:to|of) (?:the )?(?:international )?covenant on civil and political rights,? "
      r"aiming at the abolition of the death penalty",
      r"second optional protocol"),
     ("ICCPR-OP 2", "ICCPR-OP2", "ICCPR OP2", "OP2-ICCPR", "OP-2 ICCPR", "ICCPR-OP-2", "OP2 ICCPR")),
    ("zziccprop1", "ICCPR-OP1", "individual complaints",
     (r"(?:first )?optional protocol (?:to|of) (?:the )?(?:international )?covenant on civil and political rights",),
     ("ICCPR-OP 1", "ICCPR-OP1", "OP1-ICCPR")),
    ("zziccpr", "ICCPR", "civil political rights",
     (r"international covenant on civil and political rights", r"covenant on civil and political rights"),
     ("ICCPR",)),
    ("zzopicescr", "OP-ICESCR", "economic social cultural rights",
     (_OP + r"(?:international )?covenant on economic,? social and cultural rights",
      _OP + r"(?:icescr|zzicescr)"),
     ("OP-ICESCR", "OP ICESCR", "OPICESCR")),
    ("zzicescr", "ICESCR", "economic social cultural rights",
     (r"(?:international )?covenant on economic,? social and cultural rights",),
     ("ICESCR",)),
    ("zzopcat", "OP-CAT", "torture prevention",
     (_OP + r"convention against torture(?: and other cruel,? inhuman or degrading treatment or punishment)?",
      _OP + r"(?:cat|zzcat)\b"),
     ("OP-CAT", "OPCAT", "OP CAT")),
    ("zzcat", "CAT", "torture",
     (r"convention against torture(?: and other cruel,? inhuman or degrading treatment or punishment)?",
      r"committee against torture"),
     ("CAT",)),
    ("zzopcrpd", "OP-CRPD", "disabilities",
     (_OP + r"convention on the rights of persons with disabilities", _OP + r"(?:crpd|zzcrpd)"),
     ("OP-CRPD", "OPCRPD")),
    ("zzcrpd", "CRPD", "disabilities",
     (r"convention on the rights of (?:persons|people) with disabilit(?:y|ies)",
      r"disabilit(?:y|ies) convention"),
     ("CRPD",)),
    ("zzopcedaw", "OP-CEDAW", "discrimination women",
     (_OP + r"convention on the elimination of all forms of discrimination against women", _OP + r"(?:cedaw|zzcedaw)"),
     ("OP-CEDAW", "OPCEDAW")),
    ("zzcedaw", "CEDAW", "discrimination women",
     (r"convention on the elimination of all forms of discrimination against women",
      r"committee on the elimination of discrimination against women"),
     ("CEDAW",)),
    ("zzicerd", "ICERD", "racial discrimination",
     (r"(?:international )?convention on the elimination of all forms of racial discrimination",
      r"committee on the elimination of racial discrimination"),
     ("ICERD", "CERD")),
    ("zzopcrcic", "OP-CRC-IC", "child communications",
     (_OP + _CRC + r",? on a communications? procedure",),
     ("OP-CRC-IC", "OPIC", "OP3-CRC", "OP3 CRC")),
    ("zzopcrcac", "OP-CRC-AC", "child armed conflict",
     (_OP + _CRC + r",? on the involvement of children in armed conflicts?",),
     ("OP-CRC-AC", "OPAC", "OP-AC")),
    ("zzopcrcsc", "OP-CRC-SC", "child sale sexual exploitation",
     (_OP + _CRC + r",? on the sale of children,? child prostitution and child pornography",),
     ("OP-CRC-SC", "OPSC", "OP-SC")),
    ("zzcrc", "CRC", "child",
     (r"convention on the rights of the child", r"committee on the rights of the child"),
     ("CRC", "UNCRC")),
    ("zzicrmw", "ICRMW", "migrant workers",
     (r"(?:international )?convention (?:on|for) the protection of (?:the )?rights of all migrant workers "
      r"and (?:members of )?their famil(?:y|ies)(?: members)?",
      r"(?:international )?convention on the (?:protection of the )?rights of (?:all )?migrant workers"
      r"(?: and (?:members of )?their famil(?:y|ies)(?: members)?)?",
      r"migrant workers(?:'|’)? convention"),
     ("ICRMW", "CMW", "ICMW", "ICPMW", "MWC")),
    ("zzced", "CED", "enforced disappearance",
     (r"(?:international )?convention (?:for|on) the protection of all persons (?:from|against) "
      r"enforced disappearances?",
      r"convention on enforced disappearances?", r"committee on enforced disappearances?"),
     ("CED", "CPED", "ICPPED", "ICCPED", "ICED")),
    ("zzrome", "Rome Statute", "international criminal court",
     (r"rome statute(?: of the international criminal court)?", r"international criminal court"),
     ("ICC",)),
    ("zzstateless54", "1954 Statelessness Convention", "stateless",
     (r"(?:1954 )?convention relating to the status of stateless persons(?: of 1954)?",),
     ()),
    ("zzstateless61", "1961 Statelessness Convention", "stateless",
     (r"(?:1961 )?convention on the reduction of statelessness(?: of 1961)?",),
     ()),
    ("zzrefugee51", "1951 Refugee Convention", "refugee",
     (r"(?:1951 )?convention relating to the status of refugees(?: of 1951)?",
      r"(?:1951 )?refugee convention", r"geneva convention of 1951 on the status of refugees"),
     ()),
    ("zzistanbul", "Istanbul Convention", "violence women domestic",
     (r"istanbul convention",
      r"council of europe convention on preventing and combating violence against women and domestic violence"),
     ()),
    ("zzpalermo", "Palermo Protocol", "trafficking",
     (r"palermo protocol",
      r"protocol to prevent,? suppress and punish trafficking in persons(?:,? especially women and children)?"),
     ()),
    ("zzatt", "Arms Trade Treaty", "arms", (r"arms trade treaty",), ("ATT",)),
    ("zzcade", "Convention against Discrimination in Education", "education discrimination",
     (r"(?:unesco )?convention against discrimination in education",), ()),
    ("zzgenocide", "Genocide Convention", "genocide",
     (r"convention on the prevention and punishment of the crime of genocide", r"genocide convention"), ()),
    ("zzparis", "Paris Principles", "national institution",
     (r"paris principles", r"principles relating to the status of national institutions"), ()),
    ("zznhri", "NHRI", "national institution",
     (r"national human rights institutions?",
      r"national institutions? for the promotion and protection of human rights"),
     ("NHRI", "NHRIs")),
    ("zzsdg", "SDGs", "sustainable development",
     (r"sustainable development goals?", r"2030 agenda(?: for sustainable development)?"), ("SDG", "SDGs")),
    ("zzupr", "UPR", "",
     (r"universal periodic review",), ("UPR",)),
    ("zzohchr", "OHCHR", "",
     (r"office of the (?:united nations )?high commissioner for human rights",), ("OHCHR",)),
    ("zzunhcr", "UNHCR", "refugee",
     (r"(?:office of the )?united nations high commissioner for refugees",), ("UNHCR",)),
    ("zzspecproc", "special procedures", "special procedures",
     (r"special procedures?(?: mandate holders)?(?: of the human rights council)?", r"mandate[- ]holders"), ()),
    ("zzlgbti", "LGBTI", "sexual orientation gender identity",
     (r"lesbian,? gay,? bisexual,? transgender(?:,? (?:and )?intersex)?(?: and queer)?",
      r"sexual orientation and gender identity", r"sexual and gender minorities"),
     ("LGBTI", "LGBT", "LGBTIQ", "LGBTQ", "LGBTQI", "LGBTI+", "LGBTIQ+", "SOGI")),
    ("zzfgm", "FGM", "female genital mutilation",
     (r"female genital mutilation(?:/cutting)?",), ("FGM", "FGM/C")),
    ("zzhrd", "human rights defenders", "",
     (r"human rights defenders?",), ("HRDs", "HRD")),
    ("zzcso", "civil society", "",
     (r"non-? ?governmental organi[sz]ations?", r"civil society organi[sz]ations?", r"civil society"),
     ("NGO", "NGOs", "CSO", "CSOs")),
)

#: ILO conventions by number: "Convention No. 189", "(No. 29)", "ILO Convention 169".
ILO_PATTERNS = (r"\(?\bno\.?\s*(\d{1,3})\)?(?=[\s,;.)\x00]|$)", r"\bilo convention\s+(\d{1,3})\b")

# ---------------------------------------------------------------------------------------
# Phrase synonyms: regex (lower case) -> replacement, for what one word cannot say.
# ---------------------------------------------------------------------------------------
SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"(?:early|forced|child)(?: and (?:early|forced|child))*(?:,? (?:early|forced|child))* marriages?",
     "child marriage"),
    (r"accede to|acceding to|accession to|adhere to|adhering to|adherence to|become (?:a )?party to"
     r"|becoming (?:a )?party to|become parties to", "ratify"),
    (r"persons deprived of (?:their )?liberty|places of (?:detention|deprivation of liberty)", "detention"),
    (r"inter alia", " "),
    (r"cruel,? inhumane? (?:and|or) degrading (?:treatment|punishment)s?(?: (?:and|or) punishments?)?",
     "illtreatment"),
)

#: Single words that mean the same as another in UN usage (applied before stemming).
WORD_ALIASES: dict[str, str] = {
    "ombudsperson": "ombudsman", "ombudspersons": "ombudsman", "ombudsmen": "ombudsman",
    "ombuds": "ombudsman", "detainees": "detention", "detainee": "detention", "prisoners": "detention",
    "prisoner": "detention", "prisons": "detention", "prison": "detention", "speech": "expression",
    "worship": "religion", "belief": "religion", "beliefs": "religion", "disabled": "disability",
    "handicapped": "disability", "ratifying": "ratify", "ratification": "ratify", "ratified": "ratify",
    "nonrefoulement": "refoulement", "illtreatment": "torture", "ill": "", "maltreatment": "torture",
    "romani": "roma", "gypsies": "roma", "sinti": "roma", "travellers": "roma",
}

# ---------------------------------------------------------------------------------------
# Stems that mean the same thing (Snowball gives different stems for some word forms).
# ---------------------------------------------------------------------------------------
STEM_ALIASES: dict[str, str] = {
    "ratif": "ratifi", "criminalis": "crimin", "decriminalis": "decrimin", "defamatori": "defam",
    "discriminatori": "discrimin", "children": "child", "women": "woman",
    "men": "man", "girl": "girl", "peopl": "person", "disabl": "disabl", "disabilit": "disabl",
    "organis": "organ", "organiz": "organ", "legislatur": "legisl", "legisl": "legisl", "law": "legisl",
    "prosecutor": "prosecut", "journalist": "journalist", "medium": "media", "press": "media",
    "abolish": "abolit", "abolit": "abolit", "elimin": "elimin", "eradic": "elimin", "combat": "combat",
    "fight": "combat", "tackl": "combat", "counter": "combat", "migrat": "migrant", "asylum": "asylum",
    "refuge": "refuge", "torture": "tortur", "freedom": "freedom", "independ": "independ",
    "judg": "judici", "judiciari": "judici", "court": "judici", "defam": "defam", "libel": "defam",
    "slander": "defam", "insult": "defam", "inclus": "inclus", "includ": "includ", "equal": "equal",
    "gender": "gender", "sex": "sexual", "educ": "educ", "school": "educ", "health": "health",
    "healthcar": "health", "medic": "health", "employ": "employ", "job": "employ", "labour": "labour",
    "labor": "labour", "unemploy": "employ", "worker": "worker", "religi": "religion", "belief": "religion",
    "faith": "religion", "elector": "elect", "vote": "elect", "dialog": "dialogu", "crime": "crimin", "capit": "death",
    "procur": "prosecut", "procuraci": "prosecut", "procuratori": "prosecut", "prosecutori": "prosecut",
}

#: Groups of persons (OHCHR's "affected persons"): who a recommendation is about matters
#: more than the generic words around it.
GROUPS: frozenset[str] = frozenset("""
child woman girl disabl migrant refuge asylum roma minor indigen detention journalist zzhrd zzlgbti
stateless elder older youth juvenil lgbti victim minoriti ethnic religion worker defend
""".split())

# ---------------------------------------------------------------------------------------
# Words that carry no meaning for matching: English function words and UN boilerplate.
# ---------------------------------------------------------------------------------------
STOPWORDS: frozenset[str] = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves shall may might must upon whether within without via per
thereof therein thereto hereby ie eg etc well non
""".split())

#: Stems shared by most recommendations; kept but weighted down (multiplier).
BOILERPLATE: dict[str, float] = {s: 0.15 for s in """
continu effort take step measur ensur consid possibl view order necessari appropri relev need
particular regard undertak strengthen enhanc improv intensifi pursu redoubl make further full fulli
effect effici concret specif adequ suffici ongo current exist alreadi previous recent accord line
keep area field context framework aim purpos way mean level also includ inter alia
earli speedi speedili prompt swift time soon expedit expediti acceler urgent immedi quick rapid delay
state parti countri govern nation human right zzstate gener new relat concern
""".split()}
BOILERPLATE.update({s: 0.4 for s in """
implement adopt promot protect guarante provid support develop establish review respect
ensur progress activ work polici programm plan strategi action system mechan law legisl
""".split()})

# ---------------------------------------------------------------------------------------
# UN member and observer States, with the variants UPR reports use.
# ---------------------------------------------------------------------------------------
STATES: tuple[str, ...] = tuple(s.strip() for s in """
Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|Austria|
Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|
Bolivia|Bolivia (Plurinational State of)|Plurinational State of Bolivia|Bosnia and Herzegovina|Botswana|
Brazil|Brunei Darussalam|Bulgaria|Burkina Faso|Burundi|Cabo Verde|Cape Verde|Cambodia|Cameroon|Canada|
Central African Republic|Chad|Chile|China|Colombia|Comoros|Congo|Costa Rica|Côte d'Ivoire|Côte d’Ivoire|
Cote d'Ivoire|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Democratic People's Republic of Korea|
Democratic People’s Republic of Korea|Democratic Republic of the Congo|Denmark|Djibouti|Dominica|
Dominican Republic|Ecuador|Egypt|El Salvador|Equatorial Guinea|Eritrea|Estonia|Eswatini|Swaziland|Ethiopia|
Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guatemala|Guinea|Guinea-Bissau|
Guyana|Haiti|Holy See|Honduras|Hungary|Iceland|India|Indonesia|Iran|Iran (Islamic Republic of)|
Islamic Republic of Iran|Iraq|Ireland|Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kuwait|
Kyrgyzstan|Lao People's Democratic Republic|Lao People’s Democratic Republic|Latvia|Lebanon|Lesotho|
Liberia|Libya|Libyan Arab Jamahiriya|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|
Maldives|Mali|Malta|Marshall Islands|Mauritania|Mauritius|Mexico|Micronesia|
Micronesia (Federated States of)|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|Nauru|
Nepal|Netherlands|Netherlands (Kingdom of the)|Kingdom of the Netherlands|New Zealand|Nicaragua|Niger|
Nigeria|North Macedonia|The former Yugoslav Republic of Macedonia|Norway|Oman|Pakistan|Palau|Panama|
Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Republic of Korea|Republic of Moldova|
Romania|Russian Federation|Rwanda|Saint Kitts and Nevis|Saint Lucia|Saint Vincent and the Grenadines|
Samoa|San Marino|Sao Tome and Principe|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|
Slovakia|Slovenia|Solomon Islands|Somalia|South Africa|South Sudan|Spain|Sri Lanka|Sudan|Suriname|Sweden|
Switzerland|Syrian Arab Republic|Tajikistan|Thailand|Timor-Leste|Togo|Tonga|Trinidad and Tobago|Tunisia|
Türkiye|Turkey|Turkmenistan|Tuvalu|Uganda|Ukraine|United Arab Emirates|
United Kingdom of Great Britain and Northern Ireland|United Kingdom|United Republic of Tanzania|
United States of America|United States|Uruguay|Uzbekistan|Vanuatu|Venezuela|
Venezuela (Bolivarian Republic of)|Bolivarian Republic of Venezuela|Viet Nam|Vietnam|Yemen|Zambia|
Zimbabwe|State of Palestine|Palestine|Sovereign Military Order of Malta
""".replace("\n", "").split("|") if s.strip())

# ---------------------------------------------------------------------------------------
# Themes, after OHCHR's thematic lists: recommendations on one theme share a theme feature
# even when worded differently.  Each trigger is a word or a two-word phrase.
# ---------------------------------------------------------------------------------------
THEMES: dict[str, tuple[str, ...]] = {
    "violence against women": ("violence against women", "domestic violence", "gender violence", "istanbul",
                               "rape", "femicide", "sexual violence", "marital rape", "zzistanbul"),
    "torture and ill-treatment": ("torture", "ill-treatment", "confessions", "optional protocol", "zzcat", "zzopcat"),
    "freedom of expression": ("freedom expression", "journalists", "media", "press", "defamation", "libel",
                              "bloggers", "censorship"),
    "assembly and association": ("assembly", "association", "trade unions", "demonstrations", "protest",
                                 "public associations"),
    "freedom of religion": ("religion", "religious", "belief"),
    "national human rights institution": ("paris principles", "ombudsman", "national human rights institution",
                                          "zzparis", "zznhri"),
    "death penalty": ("death penalty", "executions", "moratorium", "zziccprop2"),
    "trafficking": ("trafficking", "exploitation", "zzpalermo"),
    "disability": ("disabilities", "disabled", "zzcrpd", "zzopcrpd"),
    "migrants, refugees, stateless": ("migrants", "refugees", "asylum", "refoulement", "stateless", "extradition",
                                      "zzicrmw", "zzstateless54", "zzstateless61", "zzrefugee51", "zzunhcr"),
    "administration of justice": ("judiciary", "judges", "lawyers", "fair trial", "defence", "prosecutor",
                                  "procuracy", "criminal procedure"),
    "discrimination": ("discrimination", "equal opportunities", "equality", "zzicerd", "zzcedaw", "zzopcedaw"),
    "corruption": ("corruption",),
    "detention": ("detention", "prisons", "detainees"),
    "children": ("children", "child", "juvenile", "zzcrc", "zzopcrcic", "zzopcrcac", "zzopcrcsc"),
}

# ---------------------------------------------------------------------------------------
# What a recommendation asks about: the rights areas of OHCHR's thematic lists, as words.
# Two texts about the same people but different areas (health vs. legislation for women
# with disabilities) ask for different things; the ranker compares these sets.
# ---------------------------------------------------------------------------------------
SECTORS: dict[str, tuple[str, ...]] = {
    "health": ("health", "healthcare", "medical", "hospital", "mortality", "maternal", "hiv", "aids",
               "tuberculosis", "mental", "vaccination", "reproductive", "abortion"),
    "education": ("education", "school", "schools", "enrolment", "teachers", "curriculum", "educational",
                  "literacy", "university", "pupils", "students"),
    "housing": ("housing", "homeless", "homelessness", "eviction", "evictions", "shelter", "dwelling"),
    "work": ("employment", "labour", "work", "workers", "unemployment", "wage", "wages", "jobs", "workplace"),
    "social protection": ("poverty", "social", "security", "pension", "pensions", "welfare", "benefits"),
    "water and sanitation": ("water", "sanitation"),
    "justice": ("judiciary", "judges", "courts", "court", "trial", "lawyers", "prosecutors", "justice", "judicial"),
    "detention": ("prison", "prisons", "detention", "detainees", "penitentiary", "custody", "prisoners",
                  "overcrowding"),
    "violence": ("violence", "abuse", "rape", "harassment"),
    "trafficking": ("trafficking", "exploitation"),
    "expression": ("expression", "media", "journalists", "press", "defamation", "libel", "speech"),
    "assembly and association": ("assembly", "association", "protest", "demonstrations", "unions"),
    "religion": ("religion", "religious", "belief"),
    "discrimination": ("discrimination", "equality", "racism", "racial", "xenophobia", "intolerance"),
    "hate": ("hate",),
    "torture": ("torture", "ill-treatment"),
    "death penalty": ("death", "executions"),
    "corruption": ("corruption",),
    "environment": ("environment", "climate", "environmental"),
    "national institution": ("ombudsman", "nhri", "paris"),
    "ratification": ("ratify", "ratification"),
    "cooperation": ("cooperation", "cooperate", "mechanisms", "invitation"),
    "training and awareness": ("training", "train", "awareness", "campaigns"),
    "legislation": ("legislation", "law", "laws", "legal", "code", "amend", "amendment"),
    "data": ("data", "statistics"),
}
