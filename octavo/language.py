"""A BCP 47 language tag -> the words and quotation marks a book in that language is set with."""

from __future__ import annotations

#: Typographer quotes per primary language subtag: double open/close, single open/close.
QUOTES = {
    "en": "“”‘’", "de": "„“‚‘", "fr": ["«\u202f", "\u202f»", "‹\u202f", "\u202f›"], "es": "«»“”",
    "it": "«»“”", "pt": "«»“”", "nl": "“”‘’", "pl": "„”‚’", "ru": "«»„“", "sv": "””’’", "da": "»«›‹",
}


#: Words the templates print, per primary language subtag (English when the language is not listed).
LABELS: dict[str, dict[str, str]] = {
    "en": {"contents": "Contents", "notes": "Notes", "halftitle": "Half title", "titlepage": "Title page",
           "copyright": "Copyright", "cover": "Cover", "version": "version", "published_by": "Published by",
           "typeset": "Typeset in Vollkorn with", "landmarks": "Landmarks", "pagelist": "Pages",
           "start": "Start of the text", "page": "Page", "back": "Back to the text",
           "identifier": "Identifier:", "dedication": "Dedication", "abstract": "Abstract", "page_short": "p.",
           "made_with": "Made with",
           "references": "References", "pages_short": "pp.", "back_citation": "Back to the citation"},
    "fr": {"contents": "Table des matières", "notes": "Notes", "halftitle": "Faux-titre", "titlepage": "Titre",
           "copyright": "Mentions légales", "cover": "Couverture", "version": "version",
           "published_by": "Publié par", "typeset": "Composé en Vollkorn avec", "landmarks": "Repères",
           "pagelist": "Pages", "start": "Début du texte", "page": "Page", "back": "Retour au texte",
           "identifier": "Identifiant :", "dedication": "Dédicace", "abstract": "Résumé", "page_short": "p.",
           "made_with": "Réalisé avec",
           "references": "Bibliographie", "pages_short": "p.", "back_citation": "Retour à la citation"},
    "de": {"contents": "Inhalt", "notes": "Anmerkungen", "halftitle": "Schmutztitel", "titlepage": "Titelei",
           "copyright": "Impressum", "cover": "Umschlag", "version": "Version", "published_by": "Verlag:",
           "typeset": "Gesetzt in Vollkorn mit", "landmarks": "Orientierungspunkte", "pagelist": "Seiten",
           "start": "Textbeginn", "page": "Seite", "back": "Zurück zum Text",
           "identifier": "Kennung:", "dedication": "Widmung", "abstract": "Zusammenfassung", "page_short": "S.",
           "made_with": "Erstellt mit",
           "references": "Literatur", "pages_short": "S.", "back_citation": "Zurück zum Zitat"},
    "es": {"contents": "Índice", "notes": "Notas", "halftitle": "Anteportada", "titlepage": "Portada",
           "copyright": "Créditos", "cover": "Cubierta", "version": "versión", "published_by": "Publicado por",
           "typeset": "Compuesto en Vollkorn con", "landmarks": "Puntos de referencia", "pagelist": "Páginas",
           "start": "Inicio del texto", "page": "Página", "back": "Volver al texto",
           "identifier": "Identificador:", "dedication": "Dedicatoria", "abstract": "Resumen", "page_short": "pág.",
           "made_with": "Hecho con",
           "references": "Referencias", "pages_short": "págs.", "back_citation": "Volver a la cita"},
}

#: The index's words (octavo/scholarly/index.py): its title, "see", "see also", the group of entries that do not
#: start with a letter.
INDEX_LABELS: dict[str, dict[str, str]] = {
    "en": {"index": "Index", "index_see": "see", "index_see_also": "see also", "index_symbols": "Symbols"},
    "fr": {"index": "Index", "index_see": "voir", "index_see_also": "voir aussi", "index_symbols": "Symboles"},
    "de": {"index": "Register", "index_see": "siehe", "index_see_also": "siehe auch", "index_symbols": "Symbole"},
    "es": {"index": "Índice alfabético", "index_see": "véase", "index_see_also": "véase también",
           "index_symbols": "Símbolos"},
}
for _code, _words in INDEX_LABELS.items():
    LABELS[_code].update(_words)


def labels_for(language: str) -> dict[str, str]:
    """The label set for a BCP 47 language tag."""
    return LABELS.get(language.split("-")[0].lower(), LABELS["en"])


#: The words of numbered figures, tables, listings and equations and of references to them (octavo/scholarly),
#: per primary language subtag: each kind's name, its plural, and what joins references and pages.
CROSSREF_WORDS: dict[str, dict[str, str]] = {
    "en": {"fig": "Figure", "figs": "Figures", "tbl": "Table", "tbls": "Tables", "lst": "Listing",
           "lsts": "Listings", "eq": "Equation", "eqs": "Equations", "sec": "Chapter", "secs": "Chapters",
           "and": "and", "on_page": "on page", "separator": ":", "list_of_figures": "List of Figures",
           "list_of_tables": "List of Tables"},
    "fr": {"fig": "Figure", "figs": "Figures", "tbl": "Tableau", "tbls": "Tableaux", "lst": "Listing",
           "lsts": "Listings", "eq": "Équation", "eqs": "Équations", "sec": "Chapitre", "secs": "Chapitres",
           "and": "et", "on_page": "page", "separator": "\u00a0:", "list_of_figures": "Table des figures",
           "list_of_tables": "Liste des tableaux"},
    "de": {"fig": "Abbildung", "figs": "Abbildungen", "tbl": "Tabelle", "tbls": "Tabellen", "lst": "Listing",
           "lsts": "Listings", "eq": "Gleichung", "eqs": "Gleichungen", "sec": "Kapitel", "secs": "Kapitel",
           "and": "und", "on_page": "auf Seite", "separator": ":", "list_of_figures": "Abbildungsverzeichnis",
           "list_of_tables": "Tabellenverzeichnis"},
    "es": {"fig": "Figura", "figs": "Figuras", "tbl": "Tabla", "tbls": "Tablas", "lst": "Listado",
           "lsts": "Listados", "eq": "Ecuación", "eqs": "Ecuaciones", "sec": "Capítulo", "secs": "Capítulos",
           "and": "y", "on_page": "en la página", "separator": ":", "list_of_figures": "Índice de figuras",
           "list_of_tables": "Índice de tablas"},
}


def crossref_words(language: str) -> dict[str, str]:
    """The cross-reference words for a BCP 47 language tag (English when the language is not listed)."""
    return CROSSREF_WORDS.get(language.split("-")[0].lower(), CROSSREF_WORDS["en"])
