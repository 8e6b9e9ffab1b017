"""Demo cases about mobile, home internet, routers and the app."""

from __future__ import annotations

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.demo.data import ConversationSpec, customer, note, reply

TECH_CONVERSATIONS: tuple[ConversationSpec, ...] = (
    ConversationSpec(
        key="esim-no-service",
        channel=ChannelKind.WEB_CHAT,
        customer="emily",
        language="en",
        subject="eSIM shows No Service",
        days_ago=2,
        opened_at="19:12",
        status="pending",
        priority="high",
        team="tech",
        assignee="ole",
        tags=("esim", "mobilfunk", "aktivierung"),
        messages=(
            customer(
                0,
                "Hi! I signed up for Flex M yesterday and scanned the eSIM QR code. My iPhone "
                "shows Nordlicht as a second line but it just says No Service. I need it for "
                "work tomorrow 😬",
            ),
            reply(
                "ole",
                2,
                "Hi Emily, Ole from Nordlicht tech support here. Sorry about that! Could you "
                "check two things for me: under Settings > Mobile Service > Nordlicht, is "
                "'Turn On This Line' enabled? And is Nordlicht selected for Mobile Data?",
            ),
            customer(5, "Both are on. I also restarted the phone twice."),
            note(
                "ole",
                9,
                "eSIM-Profil ist auf dem Gerät installiert (Download bestätigt), die "
                "Aktivierung hängt im Provisioning: Status „HLR pending“ seit 22 h. Ticket "
                "NET-5817 an den Netzbetrieb, Prio hoch.",
            ),
            reply(
                "ole",
                11,
                "Thanks for checking. Your phone did everything right: the activation is stuck "
                "on our side. I've asked our network team to push it through with high "
                "priority; once they pick it up it usually takes under two hours. Please don't "
                "delete the eSIM or scan the code again. I'll let you know here or by e-mail as "
                "soon as it's done.",
            ),
            customer(13, "OK, thanks Ole. Fingers crossed 🤞"),
        ),
    ),
    ConversationSpec(
        key="roaming-copenhagen",
        channel=ChannelKind.TELEGRAM,
        customer="olga",
        language="de",
        subject="Kein mobiles Internet in Kopenhagen",
        days_ago=6,
        opened_at="11:20",
        status="solved",
        priority="high",
        team="tech",
        assignee="sophie",
        tags=("roaming", "mobilfunk"),
        messages=(
            customer(
                0,
                "Hallo! Ich bin seit heute früh in Kopenhagen und habe kein mobiles Internet. "
                "Telefonieren und SMS gehen. Datenroaming ist eingeschaltet. Was kann ich tun?",
            ),
            reply(
                "sophie",
                7,
                "Hallo Frau Nowak, hier ist Sophie vom Technik-Team. Bitte schalten Sie einmal "
                "für 30 Sekunden den Flugmodus ein und wieder aus, und wählen Sie danach unter "
                "Einstellungen > Mobilfunk > Netzauswahl ein Netz von Hand, zum Beispiel "
                "Telia. Klappt es dann?",
            ),
            customer(
                15,
                "Hab ich gemacht, Telia ist ausgewählt. Oben steht 4G, aber keine Seite lädt.",
            ),
            note(
                "sophie",
                19,
                "Auf dem Anschluss war die Kostenschutz-Sperre für Roaming-Daten aktiv (wird "
                "bei Neuverträgen automatisch gesetzt, Vertrag ist 3 Wochen alt). Sperre "
                "aufgehoben; EU-Roaming ist in Flex M enthalten.",
            ),
            reply(
                "sophie",
                21,
                "Danke! Ich habe die Ursache gefunden: Bei neuen Verträgen sind mobile Daten im "
                "Ausland zum Schutz vor Kosten erst einmal gesperrt, und diese Sperre war bei "
                "Ihnen noch aktiv. Ich habe sie eben aufgehoben. In der EU surfen Sie mit Flex "
                "M ohne Aufpreis. Bitte starten Sie das Handy einmal neu.",
            ),
            customer(
                26,
                "Geht!! Vielen Dank 🙏 Jetzt finde ich endlich den Weg zum Hotel 😄",
            ),
        ),
    ),
    ConversationSpec(
        key="password-reset-no-mail",
        channel=ChannelKind.EMAIL,
        customer="anna",
        language="de",
        subject="Passwort zurücksetzen - keine E-Mail bekommen",
        days_ago=3,
        opened_at="18:22",
        status="open",
        team="tech",
        assignee="ole",
        tags=("app", "login", "passwort"),
        messages=(
            customer(
                0,
                "Hallo,\n\n"
                "ich komme nicht mehr in die Nordlicht App und auch nicht ins Kundenportal. Ich "
                "habe dreimal auf „Passwort vergessen“ geklickt, aber es kommt keine E-Mail an. "
                "Im Spam ist auch nichts.\n\n"
                "Viele Grüße\nAnna Schulte",
            ),
            reply(
                "ole",
                17 * 60,
                "Hallo Frau Schulte,\n\n"
                "danke für Ihre Nachricht. Ihr Login war noch mit Ihrer früheren Adresse "
                "a.schulte@example.net verknüpft, deshalb ging der Link dorthin. Ich habe den "
                "Login auf die Adresse umgestellt, von der Sie mir schreiben. Bitte fordern Sie "
                "den Link noch einmal an; er ist 30 Minuten gültig.\n\n"
                "Viele Grüße\nOle Hansen\nTechnik-Support, Nordlicht Mobil",
            ),
            customer(
                22 * 60,
                "Hallo Herr Hansen,\n\n"
                "danke, aber es kommt immer noch nichts. Ich habe es eben zweimal versucht, "
                "einmal in der App und einmal im Browser.\n\n"
                "Anna Schulte",
            ),
        ),
    ),
    ConversationSpec(
        key="fibre-outage-gaarden",
        channel=ChannelKind.MASTODON,
        customer="lukas",
        language="de",
        subject="Glasfaser-Störung in Kiel-Gaarden?",
        days_ago=5,
        opened_at="12:10",
        status="solved",
        priority="high",
        team="tech",
        assignee="sophie",
        tags=("stoerung", "glasfaser"),
        messages=(
            customer(
                0,
                "@nordlicht Gibt es gerade eine Störung bei Glasfaser in Kiel-Gaarden? Seit "
                "ca. 11:30 komplett offline, der Router zeigt „Kein Signal“. Die Nachbarn auch.",
            ),
            reply(
                "sophie",
                12,
                "@lukasmeier Ja, leider: Bei Tiefbauarbeiten wurde ein Glasfaserkabel "
                "beschädigt. Rund 400 Anschlüsse sind betroffen, unser Bautrupp ist vor Ort, "
                "voraussichtlich bis heute Abend. Updates: status.nordlicht.example.com ^SB",
            ),
            note(
                "sophie",
                20,
                "Störung INC-0915 (Kabelschaden Gaarden) verknüpft. Alle Meldungen dazu bitte "
                "mit Tag „stoerung“ und der INC-Nummer; die Gutschrift läuft nach Behebung "
                "automatisch mit dem Monatslauf.",
            ),
            customer(
                410,
                "@nordlicht Läuft wieder seit kurz vor 18 Uhr. Danke fürs ehrliche "
                "Bescheidgeben, das ist leider nicht selbstverständlich.",
            ),
            reply(
                "sophie",
                431,
                "@lukasmeier Danke für deine Geduld! Für den Ausfalltag bekommst du "
                "automatisch eine Gutschrift auf eine der nächsten Rechnungen. ^SB",
            ),
        ),
    ),
    ConversationSpec(
        key="router-red-homeoffice",
        channel=ChannelKind.WEB_CHAT,
        customer="jasmin",
        language="de",
        subject="Router blinkt rot, Homeoffice offline",
        days_ago=0,
        opened_at="08:05",
        status="open",
        priority="urgent",
        team="tech",
        assignee="sophie",
        tags=("router", "stoerung", "homeoffice"),
        messages=(
            customer(
                0,
                "Guten Morgen, mein Router (Nordbox 7) blinkt seit heute früh rot und ich habe "
                "kein Internet. Ich habe um 9 Uhr eine wichtige Videokonferenz. Bitte helfen "
                "Sie mir!",
            ),
            reply(
                "sophie",
                2,
                "Guten Morgen Frau Koch, hier ist Sophie aus dem Technik-Team. Ich schaue mir "
                "Ihre Leitung sofort an. Welche Lampe blinkt genau rot: „Internet“ oder "
                "„Glasfaser“?",
            ),
            customer(
                4,
                "Die mit der Weltkugel, also Internet. Die Glasfaser-Lampe leuchtet grün.",
            ),
            note(
                "sophie",
                9,
                "Leitungsmessung: optisches Signal ok, PPPoE-Anmeldung schlägt fehl. Ursache: "
                "Der Tarifwechsel gestern Abend hat neue Zugangsdaten erzeugt, die Nordbox hat "
                "noch die alten. Zugangsdaten per Fernkonfiguration neu aufs Gerät geschickt.",
            ),
            reply(
                "sophie",
                11,
                "Danke! Das Glasfaser-Signal ist in Ordnung. Die Anmeldung ins Internet "
                "scheitert, weil nach Ihrem Tarifwechsel gestern neue Zugangsdaten erzeugt "
                "wurden. Ich habe sie gerade an Ihren Router geschickt. Bitte ziehen Sie einmal "
                "kurz den Stecker und warten Sie etwa drei Minuten.",
            ),
            customer(
                17,
                "Jetzt leuchtet alles grün!! Danke, Sie haben mir den Tag gerettet. Bekomme ich "
                "für den Ausfall heute früh eigentlich etwas gutgeschrieben?",
            ),
        ),
    ),
    ConversationSpec(
        key="app-down-double-charge",
        channel=ChannelKind.FACEBOOK,
        customer="merve",
        language="de",
        subject="App down, Ticket lässt sich nicht öffnen",
        days_ago=4,
        opened_at="07:12",
        status="solved",
        priority="high",
        team="tech",
        assignee="ole",
        tags=("app", "stoerung", "doppelbuchung"),
        messages=(
            customer(
                0,
                "Warum ist eure App schon wieder down?! Ich stehe am Bahnsteig in Neumünster und "
                "kann mein Ticket nicht öffnen. Soll ich jetzt schwarzfahren oder was??",
            ),
            reply(
                "ole",
                9,
                "Hallo Merve, sorry! Die App hatte heute früh von 6:50 bis 7:20 Uhr eine "
                "Störung beim Login. Gekaufte Tickets sind aber auf dem Handy gespeichert: "
                "Unter „Meine Tickets“ erscheinen sie auch ohne Anmeldung. Bei einer Kontrolle "
                "zeigst du einfach diesen Bildschirm. ^OH",
            ),
            customer(
                40,
                "Danke, hat geklappt. Aber jetzt sehe ich auf meinem Konto zwei Buchungen für "
                "dasselbe Tagesticket (je 14,20 €). Ich hab nur einmal gekauft.",
                visibility="private",
            ),
            reply(
                "ole",
                55,
                "Hallo Merve, ich habe nachgesehen: Eine der beiden Buchungen ist nur eine "
                "Vormerkung deiner Bank aus dem abgebrochenen Kaufversuch während der Störung. "
                "Sie verfällt von selbst in 3 bis 5 Tagen, abgebucht wird nur einmal. Falls sie "
                "nächste Woche noch da ist, schreib mir einfach hier. ^OH",
                visibility="private",
            ),
            customer(62, "Ok, super, danke für die Erklärung!", visibility="private"),
        ),
    ),
    ConversationSpec(
        key="2fa-new-phone",
        channel=ChannelKind.TELEGRAM,
        customer="daniel",
        language="en",
        subject="Locked out: 2FA app was on my old phone",
        days_ago=1,
        opened_at="21:40",
        status="pending",
        team="tech",
        assignee="ole",
        tags=("app", "2fa", "login"),
        messages=(
            customer(
                0,
                "Hi, I got a new phone and now the Nordlicht app wants a 2FA code from my "
                "authenticator app, which was on the old phone. The old phone has been wiped. "
                "How do I get back in?",
            ),
            reply(
                "ole",
                10 * 60 + 20,
                "Good morning Daniel, Ole from Nordlicht here. No worries, we can reset the "
                "two-factor authentication for you. For security, please tell me your customer "
                "number and the amount of your last invoice.",
            ),
            customer(10 * 60 + 41, "Customer no. 30688190, last invoice was 34.99 I think."),
            note(
                "ole",
                10 * 60 + 50,
                "Identität geprüft: Kundennummer und Rechnungsbetrag (34,99 €) stimmen. "
                "2FA-Reset ausgelöst, Bestätigungslink geht an die hinterlegte E-Mail-Adresse.",
            ),
            reply(
                "ole",
                10 * 60 + 52,
                "Thanks, that matches. I've reset your two-factor authentication. You'll get an "
                "e-mail with a confirmation link in a few minutes; after that, log in with your "
                "password and the app will walk you through setting up 2FA on the new phone. "
                "Tip: keep the recovery codes somewhere safe this time 🙂",
            ),
        ),
    ),
    ConversationSpec(
        key="roaming-uk-trip",
        channel=ChannelKind.FACEBOOK,
        customer="sarah",
        language="en",
        subject="Does Flex M work in the UK?",
        days_ago=18,
        opened_at="15:33",
        status="closed",
        priority="low",
        team="tech",
        assignee="sophie",
        tags=("roaming", "mobilfunk"),
        messages=(
            customer(
                0,
                "Going home to Manchester for two weeks. Does my Flex M work in the UK, and "
                "will it cost extra?",
            ),
            reply(
                "sophie",
                26,
                "Hi Sarah! Since Brexit the UK is not covered by EU roaming, so standard roaming "
                "prices would apply. The cheaper way: book the 'Reisepass Welt' option in the "
                "app before you go (7 days, 2 GB, calls and texts included, 9.99 EUR). It stops "
                "by itself. Have a lovely trip! ^SB",
            ),
            customer(48, "Booked it, thanks! 🙌"),
        ),
    ),
    ConversationSpec(
        key="fibre-installation-date",
        channel=ChannelKind.EMAIL,
        customer="jasmin",
        language="de",
        subject="Glasfaser-Anschluss: Termin für die Installation",
        days_ago=18,
        opened_at="10:15",
        status="solved",
        team="tech",
        assignee="sophie",
        tags=("glasfaser", "termin"),
        messages=(
            customer(
                0,
                "Guten Tag,\n\n"
                "ich habe vor drei Wochen Glasfaser 1000 bestellt (Kundennummer 30377120). Der "
                "Hausanschluss ist laut Ihrer Nachricht fertig, aber ich habe noch keinen "
                "Termin für die Installation in der Wohnung. Ich arbeite im Homeoffice und muss "
                "das planen können. Ginge ein Dienstag oder Donnerstag?\n\n"
                "Mit freundlichen Grüßen\nJasmin Koch",
                html="<p>Guten Tag,</p><p>ich habe vor drei Wochen <em>Glasfaser 1000</em> "
                "bestellt (Kundennummer 30377120). Der Hausanschluss ist laut Ihrer Nachricht "
                "fertig, aber ich habe noch keinen Termin für die Installation in der Wohnung. "
                "Ich arbeite im Homeoffice und muss das planen können. Ginge ein Dienstag oder "
                "Donnerstag?</p><p>Mit freundlichen Grüßen<br>Jasmin Koch</p>"
                "<script>trackOpen()</script>",
            ),
            reply(
                "sophie",
                200,
                "Guten Tag Frau Koch,\n\n"
                "danke für Ihre Geduld. Ich habe für Sie Donnerstag nächster Woche zwischen 8 "
                "und 12 Uhr reserviert. Unser Techniker verlegt das Kabel vom Keller in Ihre "
                "Wohnung, setzt die Glasfaserdose und richtet die Nordbox 7 ein; das dauert "
                "etwa zwei Stunden. Ihr DSL-Anschluss läuft bis zur Umschaltung weiter, Sie sind "
                "also nicht offline.\n\n"
                "Passt Ihnen der Termin?\n\n"
                "Viele Grüße\nSophie Brandt\nTechnik-Team, Nordlicht Mobil",
            ),
            customer(260, "Donnerstag passt, vielen Dank!\n\nJ. Koch"),
            note(
                "sophie",
                270,
                "Termin Do 8-12 Uhr bestätigt, Auftrag an den Technikpartner übergeben. "
                "VIP-Kundin im Homeoffice: bitte pünktlich.",
            ),
        ),
    ),
    ConversationSpec(
        key="wifi-weak-bedroom",
        channel=ChannelKind.WEB_CHAT,
        customer="priya",
        language="en",
        subject="Wi-Fi drops in the bedroom",
        days_ago=3,
        opened_at="20:05",
        status="solved",
        priority="low",
        team="tech",
        assignee="sophie",
        tags=("router", "wlan"),
        messages=(
            customer(
                0,
                "Hi, the internet is great in the living room but in my bedroom the Wi-Fi keeps "
                "dropping. It's only two walls away from the router. Is there anything I can "
                "do?",
            ),
            reply(
                "sophie",
                3,
                "Hi Priya, Sophie here. Two walls can be a lot, especially concrete ones. First "
                "try this: open the Nordbox menu (http://nordbox.local) and switch the 5 GHz "
                "Wi-Fi channel from 'auto' to 36. If that doesn't help, we rent out a mesh "
                "repeater, the Nordbox Mesh, for 2.99 EUR a month, cancellable monthly.",
            ),
            customer(
                10,
                "Changed the channel, it's a bit better but still drops sometimes. I'll take the "
                "repeater. Do I need to install anything?",
            ),
            reply(
                "sophie",
                13,
                "Great, I've ordered it for you; it'll arrive in 2-3 working days. Plug it in "
                "halfway between the router and your bedroom and press the WPS button on both "
                "devices. That's it! The first month is free.",
            ),
            customer(14, "Perfect, thanks!"),
        ),
    ),
)
