"""Demo community of Nordlicht Mobil: members, categories and a dozen questions (eight German,
four English), some solved by other customers, some answered officially by agents, some still
waiting. Pure data; :mod:`schwarmdesk.demo.loader` writes it through the community actions."""

from __future__ import annotations

from dataclasses import dataclass

from schwarmdesk.demo.data import Language


@dataclass(frozen=True, kw_only=True)
class CommunityCategorySpec:
    slug: str
    name: str
    name_en: str
    description: str
    description_en: str


@dataclass(frozen=True, kw_only=True)
class CommentSpec:
    author: str  # a member's customer key or an agent's username
    text: str


@dataclass(frozen=True, kw_only=True)
class AnswerSpec:
    author: str  # a member's customer key or an agent's username
    text: str
    after_hours: int
    voters: tuple[str, ...] = ()  # up-votes
    down_voters: tuple[str, ...] = ()
    is_accepted: bool = False
    comments: tuple[CommentSpec, ...] = ()


@dataclass(frozen=True, kw_only=True)
class QuestionSpec:
    key: str
    author: str  # a member's customer key
    category: str
    language: Language
    title: str
    body: str
    days_ago: int
    tags: tuple[str, ...] = ()
    voters: tuple[str, ...] = ()
    answers: tuple[AnswerSpec, ...] = ()
    comments: tuple[CommentSpec, ...] = ()
    is_solved: bool = False  # solved without an accepted answer


# Customers (keys from data_people.py) who have a community account; they log in with the
# demo password under their key as user name.
COMMUNITY_MEMBERS: tuple[str, ...] = (
    "anna",
    "thomas",
    "sabine",
    "kai",
    "finn",
    "merve",
    "emily",
    "james",
)

COMMUNITY_CATEGORIES: tuple[CommunityCategorySpec, ...] = (
    CommunityCategorySpec(
        slug="rechnung-vertrag",
        name="Rechnung & Vertrag",
        name_en="Bills & contract",
        description="Rechnungen, Zahlungen, Adressen, Umzug und Kündigung.",
        description_en="Bills, payments, addresses, moving house and cancelling.",
    ),
    CommunityCategorySpec(
        slug="internet-router",
        name="Internet & Router",
        name_en="Internet & router",
        description="DSL, Glasfaser, WLAN und die Nordbox 7.",
        description_en="DSL, fibre, Wi-Fi and the Nordbox 7.",
    ),
    CommunityCategorySpec(
        slug="mobilfunk",
        name="Mobilfunk & Roaming",
        name_en="Mobile & roaming",
        description="Tarife, eSIM, Netz und Reisen ins Ausland.",
        description_en="Plans, eSIM, coverage and travelling abroad.",
    ),
    CommunityCategorySpec(
        slug="bahn",
        name="Bahn & Tickets",
        name_en="Trains & tickets",
        description="Linien NL1, NL3 und NL5, Tickets, Verspätungen und Fundsachen.",
        description_en="Lines NL1, NL3 and NL5, tickets, delays and lost property.",
    ),
)

QUESTIONS: tuple[QuestionSpec, ...] = (
    QuestionSpec(
        key="rechnungsadresse",
        author="anna",
        category="rechnung-vertrag",
        language="de",
        title="Rechnungsadresse nach Umzug ändern - wo geht das?",
        body="Ich bin nach Kiel-Gaarden umgezogen. Die Rechnung kommt noch an die alte "
        "Adresse. Wo kann ich die **Rechnungsadresse ändern**, ohne anzurufen?",
        days_ago=12,
        tags=("rechnung", "umzug"),
        voters=("thomas", "sabine", "kai"),
        answers=(
            AnswerSpec(
                author="thomas",
                text="Das geht im Kundenportal *Mein Nordlicht* unter **Persönliche Daten**. "
                "Bei mir war es sofort geändert.",
                after_hours=2,
                voters=("anna", "sabine"),
                is_accepted=True,
                comments=(CommentSpec(author="anna", text="Hat geklappt, danke!"),),
            ),
            AnswerSpec(
                author="jonas",
                text="Ergänzend: Die neue Adresse gilt ab der nächsten Rechnung. Eine Schritt-"
                "für-Schritt-Anleitung steht im Hilfe-Center unter "
                "[Rechnungsadresse ändern](/help/de/rechnungsadresse-aendern/).",
                after_hours=5,
                voters=("anna", "kai"),
            ),
        ),
    ),
    QuestionSpec(
        key="router-rot",
        author="kai",
        category="internet-router",
        language="de",
        title="Nordbox 7 blinkt rot - kein Internet",
        body="Seit heute früh blinkt die Info-LED an meiner Nordbox 7 rot. Neustart habe ich "
        "schon versucht. Was bedeutet das?",
        days_ago=3,
        tags=("router", "nordbox"),
        voters=("finn",),
        answers=(
            AnswerSpec(
                author="sophie",
                text="Rotes Blinken heißt: keine DSL-Synchronisation. Bitte prüfen Sie, ob das "
                "graue Kabel fest in der TAE-Dose steckt. Wenn ja, liegt eine Störung im "
                "Netz vor - wir haben gerade eine in Kiel-Ost und arbeiten daran.",
                after_hours=1,
                voters=("kai", "finn", "merve"),
                is_accepted=True,
            ),
        ),
    ),
    QuestionSpec(
        key="wlan-langsam",
        author="finn",
        category="internet-router",
        language="de",
        title="WLAN im Obergeschoss sehr langsam",
        body="Unten habe ich 250 Mbit/s, oben im Arbeitszimmer nur 15. Lohnt sich ein "
        "Repeater oder lieber Mesh?",
        days_ago=7,
        tags=("wlan", "router"),
        voters=("kai", "thomas"),
        answers=(
            AnswerSpec(
                author="merve",
                text="Ich habe zwei Mesh-Punkte genommen, seitdem 180 Mbit/s oben. Wichtig: "
                "den ersten Punkt auf halbe Strecke stellen, nicht ins Zimmer selbst.",
                after_hours=4,
                voters=("finn", "kai"),
                comments=(CommentSpec(author="finn", text="Welches Modell hast du genommen?"),),
            ),
            AnswerSpec(
                author="thomas",
                text="Erst mal den Kanal prüfen: Im 5-GHz-Band ist es bei mir viel besser.",
                after_hours=20,
                voters=("finn",),
            ),
        ),
    ),
    QuestionSpec(
        key="esim",
        author="sabine",
        category="mobilfunk",
        language="de",
        title="eSIM auf neues Handy übertragen",
        body="Ich habe ein neues Smartphone. Wie bekomme ich meine eSIM darauf, ohne dass die "
        "Nummer verloren geht?",
        days_ago=9,
        tags=("esim",),
        voters=("anna",),
        answers=(
            AnswerSpec(
                author="ole",
                text="In der Nordlicht App unter **Vertrag → eSIM → Auf neues Gerät "
                "übertragen** bekommen Sie einen neuen QR-Code. Die Nummer bleibt gleich; das "
                "alte Profil wird dabei abgeschaltet.",
                after_hours=3,
                voters=("sabine", "anna", "merve"),
                is_accepted=True,
            ),
        ),
    ),
    QuestionSpec(
        key="fahrrad-nl3",
        author="merve",
        category="bahn",
        language="de",
        title="Fahrrad im NL3 nach Flensburg mitnehmen?",
        body="Darf ich am Wochenende mein Fahrrad im NL3 mitnehmen, und brauche ich dafür "
        "ein eigenes Ticket?",
        days_ago=5,
        tags=("fahrrad", "nl3"),
        voters=("finn",),
        answers=(
            AnswerSpec(
                author="finn",
                text="Ja, im Mehrzweckabteil. Du brauchst eine Fahrradkarte (4 €), die gibt es "
                "in der App. Am Sonntagnachmittag ist es oft voll.",
                after_hours=6,
                voters=("merve",),
            ),
        ),
        is_solved=True,
    ),
    QuestionSpec(
        key="verspaetung",
        author="thomas",
        category="bahn",
        language="de",
        title="Entschädigung bei 70 Minuten Verspätung auf der NL1",
        body="Mein Zug nach Hamburg-Altona kam 70 Minuten zu spät. Wie viel bekomme ich "
        "zurück, und wo beantrage ich das?",
        days_ago=2,
        tags=("verspaetung", "nl1"),
        comments=(CommentSpec(author="anna", text="Gleiche Frage, ich war im selben Zug."),),
    ),
    QuestionSpec(
        key="sepa",
        author="kai",
        category="rechnung-vertrag",
        language="de",
        title="Neue Bankverbindung für die Lastschrift",
        body="Ich habe die Bank gewechselt. Muss ich ein neues SEPA-Mandat erteilen?",
        days_ago=1,
        tags=("sepa", "rechnung"),
    ),
    QuestionSpec(
        key="tarifwechsel",
        author="finn",
        category="mobilfunk",
        language="de",
        title="Von Flex M auf Flex L wechseln - sofort oder erst zum Monatsende?",
        body="Mir reicht das Datenvolumen nicht mehr. Gilt ein Wechsel sofort?",
        days_ago=0,
        tags=("tarif",),
    ),
    QuestionSpec(
        key="roaming",
        author="emily",
        category="mobilfunk",
        language="en",
        title="Does roaming in Denmark cost extra on Flex S?",
        body="I'm taking the train to Copenhagen next week. Will my data work there at the "
        "normal price?",
        days_ago=10,
        tags=("roaming",),
        voters=("james",),
        answers=(
            AnswerSpec(
                author="james",
                text="It worked for me in Denmark with no extra charge - EU roaming is "
                "*roam like at home*. Just switch data roaming on in your phone settings.",
                after_hours=3,
                voters=("emily",),
                is_accepted=True,
                comments=(CommentSpec(author="emily", text="Thanks, that did it!"),),
            ),
        ),
    ),
    QuestionSpec(
        key="billing-en",
        author="james",
        category="rechnung-vertrag",
        language="en",
        title="Can I get my bill in English?",
        body="My German is still basic. Is there a way to receive the monthly bill in English?",
        days_ago=6,
        tags=("bill",),
        voters=("emily",),
        answers=(
            AnswerSpec(
                author="lena",
                text="Yes: in *Mein Nordlicht* under **Settings → Language** choose English. "
                "Bills and e-mails follow from the next month.",
                after_hours=8,
                voters=("james", "emily"),
                is_accepted=True,
            ),
        ),
    ),
    QuestionSpec(
        key="fibre",
        author="emily",
        category="internet-router",
        language="en",
        title="When will fibre be available in Plön?",
        body="Is there a timeline for Glasfaser in Plön? I'd switch from DSL 100 right away.",
        days_ago=4,
        tags=("fibre",),
        voters=("james", "kai"),
    ),
    QuestionSpec(
        key="lost-property",
        author="james",
        category="bahn",
        language="en",
        title="Left my laptop bag on the NL5 to Lübeck",
        body="I left a black laptop bag on the 17:42 from Kiel to Lübeck yesterday. "
        "Who do I contact?",
        days_ago=1,
        tags=("lost-property", "nl5"),
    ),
)
