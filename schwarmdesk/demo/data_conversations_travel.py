"""Demo cases about the trains: delays, cancellations, passenger rights, tickets, lost property."""

from __future__ import annotations

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.demo.data import ConversationSpec, customer, note, reply

DAY = 24 * 60  # minutes

TRAVEL_CONVERSATIONS: tuple[ConversationSpec, ...] = (
    ConversationSpec(
        key="taxi-nl3-flensburg",
        channel=ChannelKind.EMAIL,
        customer="hannelore",
        language="de",
        subject="Letzter Zug ausgefallen - Erstattung der Taxikosten",
        days_ago=19,
        opened_at="08:14",
        status="solved",
        team="travel",
        assignee="mehmet",
        tags=("fahrgastrechte", "erstattung", "taxi", "nl3"),
        messages=(
            customer(
                0,
                "Sehr geehrte Damen und Herren,\n\n"
                "am Sonntagabend wollte ich mit dem NL3 um 22:48 Uhr von Flensburg nach Husum "
                "fahren. Der Zug fiel aus, auf der Anzeige stand nur „Fällt heute aus“. Einen "
                "späteren Zug gab es nicht mehr. Ich bin 74 Jahre alt und wollte nicht auf dem "
                "Bahnsteig übernachten, deshalb habe ich ein Taxi genommen. Das hat 86,50 Euro "
                "gekostet, die Quittung habe ich eingescannt und angehängt.\n\n"
                "Ich habe bei Ihnen ein Deutschlandticket im Abo (Kundennummer 30418872). "
                "Bekomme ich das Geld zurück?\n\n"
                "Mit freundlichen Grüßen\nHannelore Voss",
                html="<p>Sehr geehrte Damen und Herren,</p>"
                "<p>am Sonntagabend wollte ich mit dem NL3 um 22:48 Uhr von Flensburg nach Husum "
                "fahren. Der Zug fiel aus, auf der Anzeige stand nur „Fällt heute aus“. Einen "
                "späteren Zug gab es nicht mehr. Ich bin 74 Jahre alt und wollte nicht auf dem "
                "Bahnsteig übernachten, deshalb habe ich ein Taxi genommen. Das hat "
                "<b>86,50 Euro</b> gekostet, die Quittung habe ich eingescannt und angehängt.</p>"
                "<p>Ich habe bei Ihnen ein Deutschlandticket im Abo (Kundennummer 30418872). "
                "Bekomme ich das Geld zurück?</p>"
                "<p>Mit freundlichen Grüßen<br>Hannelore Voss</p>",
            ),
            note(
                "mehmet",
                95,
                "Ausfall NL3 22:48 Flensburg-Husum im Betriebslog bestätigt "
                "(Triebfahrzeugstörung). War die letzte Verbindung des Tages, also Taxikosten "
                "bis 120 € erstattungsfähig. Quittung liegt bei, Betrag passt. Auszahlung auf "
                "das Abo-Konto angewiesen.",
            ),
            reply(
                "mehmet",
                110,
                "Sehr geehrte Frau Voss,\n\n"
                "vielen Dank für Ihre Nachricht, und es tut mir leid, dass Sie am Sonntagabend "
                "so spät noch umplanen mussten.\n\n"
                "Der NL3 um 22:48 Uhr war die letzte Verbindung des Tages. Fällt sie aus, "
                "übernehmen wir Taxikosten bis 120 Euro. Ich habe die 86,50 Euro heute zur "
                "Auszahlung freigegeben; das Geld kommt in den nächsten fünf bis sieben "
                "Werktagen auf das Konto, von dem wir auch Ihr Deutschlandticket abbuchen. Sie "
                "müssen dafür nichts weiter tun.\n\n"
                "Mit freundlichen Grüßen\nMehmet Aydın\nKundenservice Nordlicht Mobil",  # noqa: RUF001 -- Turkish dotless i in a name
            ),
            customer(
                4 * DAY + 130,
                "Sehr geehrter Herr Aydın,\n\n"  # noqa: RUF001 -- Turkish dotless i in a name
                "das Geld ist heute angekommen. Vielen Dank für die unkomplizierte Hilfe, das "
                "hätte ich ehrlich gesagt nicht erwartet.\n\n"
                "Freundliche Grüße\nH. Voss",
            ),
        ),
    ),
    ConversationSpec(
        key="nl1-stuck-neumuenster",
        channel=ChannelKind.X,
        customer="finn",
        language="de",
        subject="NL1 steht vor Neumünster, keine Durchsage",
        days_ago=1,
        opened_at="17:36",
        status="solved",
        team="travel",
        assignee="mehmet",
        tags=("verspaetung", "nl1"),
        messages=(
            customer(
                0,
                "@NordlichtMobil NL1 steht seit 25 Minuten kurz vor Neumünster, Licht aus, "
                "keine einzige Durchsage. Was ist da los?",
            ),
            reply(
                "mehmet",
                6,
                "@finn_hff Hallo Finn, laut Leitstelle gibt es einen Notarzteinsatz am Gleis in "
                "Neumünster. Weiterfahrt ist in ca. 15 Min geplant. Dass es keine Durchsage "
                "gab, geben wir ans Zugteam weiter. ^MA",
            ),
            customer(
                24,
                "@NordlichtMobil Fährt wieder. Danke für die schnelle Info, wenigstens ihr seid "
                "wach 😅",
            ),
            reply(
                "mehmet",
                31,
                "@finn_hff Gern! Falls du mehr als 60 Minuten später ankommst: Fahrgastrechte "
                "gibt's unter nordlicht.example.com/fahrgastrechte. Gute Heimfahrt! ^MA",
            ),
        ),
    ),
    ConversationSpec(
        key="wlan-nl5",
        channel=ChannelKind.MASTODON,
        customer="kai",
        language="de",
        subject="WLAN im NL5 seit Wochen kaputt",
        days_ago=10,
        opened_at="07:55",
        status="closed",
        priority="low",
        team="travel",
        assignee="mehmet",
        tags=("wlan-im-zug", "nl5"),
        messages=(
            customer(
                0,
                "@nordlicht Das WLAN im NL5 Kiel-Lübeck geht seit Wochen nicht. Man verbindet "
                "sich, dann lädt die Anmeldeseite ewig. Wird das noch mal was? #Pendeln",
            ),
            reply(
                "mehmet",
                47,
                "@kaijensen Danke für den Hinweis! Die Züge auf dem NL5 bekommen gerade neue "
                "WLAN-Router: drei von acht sind schon umgerüstet, der Rest folgt bis "
                "Monatsende. Bis dahin hängt die Anmeldeseite leider oft. Wir bleiben dran. ^MA",
            ),
            customer(
                70,
                "@nordlicht Danke für die ehrliche Antwort, dann halte ich noch ein paar Wochen "
                "durch.",
            ),
        ),
    ),
    ConversationSpec(
        key="praise-nl3-conductor",
        channel=ChannelKind.X,
        customer="tim",
        language="de",
        subject="Lob für die Zugbegleiterin im NL3",
        days_ago=16,
        opened_at="08:40",
        status="closed",
        priority="low",
        team="travel",
        assignee="mehmet",
        tags=("lob", "nl3"),
        messages=(
            customer(
                0,
                "Großes Lob an die Zugbegleiterin im NL3 heute früh ab Schleswig: Sie hat einer "
                "älteren Dame mit Rollator und Koffer beim Umsteigen geholfen und dafür sogar "
                "den Anschluss kurz aufgehalten. @NordlichtMobil, die Frau verdient einen "
                "Kuchen 🎂",
            ),
            reply(
                "mehmet",
                52,
                "@timschroeder_sl Wie schön, danke, dass du dir die Zeit nimmst! Wir haben das "
                "an das Team in Husum weitergegeben, der Kuchen ist schon organisiert 🎂 ^MA",
            ),
        ),
    ),
    ConversationSpec(
        key="delay-compensation-hamburg-kiel",
        channel=ChannelKind.EMAIL,
        customer="james",
        language="en",
        subject="Delay compensation for my Hamburg - Kiel trip",
        days_ago=15,
        opened_at="10:30",
        status="closed",
        team="travel",
        assignee="lena",
        tags=("fahrgastrechte", "erstattung", "nl1"),
        messages=(
            customer(
                0,
                "Hello,\n\n"
                "I'm visiting from Dublin and took the NL1 from Hamburg-Altona to Kiel on "
                "Saturday evening. It arrived 95 minutes late because a train had broken down "
                "ahead of us. My single ticket was 24.90 EUR. Am I entitled to any compensation? "
                "I don't speak German and the form on your website is German only.\n\n"
                "Best,\nJames O'Neill",
                html="<div>Hello,</div><div><br></div>"
                "<div>I'm visiting from Dublin and took the NL1 from Hamburg-Altona to Kiel on "
                "Saturday evening. It arrived <b>95 minutes late</b> because a train had broken "
                "down ahead of us. My single ticket was 24.90 EUR. Am I entitled to any "
                "compensation? I don't speak German and the form on your website is German "
                "only.</div><div><br></div><div>Best,<br>James O'Neill</div>"
                '<img src="https://track.example.net/open.gif" width="1" height="1" alt="">',
            ),
            reply(
                "lena",
                240,
                "Dear Mr O'Neill,\n\n"
                "thank you for getting in touch, and I'm sorry your evening trip took so long.\n\n"
                "Yes, you are entitled to compensation: for a delay of 60 minutes or more we "
                "refund 25 % of the ticket price, so 6.23 EUR in your case. I can process it "
                "for you directly, no form needed. I've sent you a separate e-mail with a "
                "secure link where you can enter your bank details; please don't send them by "
                "e-mail.\n\n"
                "We are working on an English version of the form; thank you for the "
                "reminder.\n\n"
                "Kind regards,\nLena Krüger\nCustomer Service, Nordlicht Mobil",
            ),
            customer(
                600,
                "Thanks Lena, that was easy. I've entered my details via the link.\n\nJames",
            ),
            reply(
                "lena",
                2 * DAY + 100,
                "Dear Mr O'Neill,\n\n"
                "the 6.23 EUR are on their way to your account and should arrive within a few "
                "working days. Safe travels, and we hope to see you on board again!\n\n"
                "Kind regards,\nLena Krüger",
            ),
        ),
    ),
    ConversationSpec(
        key="nl1-app-says-cancelled",
        channel=ChannelKind.X,
        customer="emily",
        language="en",
        subject="App says cancelled, board says on time",
        days_ago=13,
        opened_at="07:31",
        status="solved",
        team="travel",
        assignee="mehmet",
        tags=("fahrplan", "app", "nl1"),
        messages=(
            customer(
                0,
                "@NordlichtMobil is the 7:46 NL1 to Hamburg running? Your app says cancelled "
                "but the board at Kiel Hbf says on time 🤔",
            ),
            reply(
                "mehmet",
                4,
                "@emilycarter_kiel Good morning Emily! The board is right: the 7:46 is running "
                "from platform 3. The app still showed an old cancellation from the building "
                "works timetable; our IT team is fixing it. Sorry for the confusion! ^MA",
            ),
            customer(9, "@NordlichtMobil Made it, thanks! 🏃‍♀️"),
        ),
    ),
    ConversationSpec(
        key="bikes-nl5-weekend",
        channel=ChannelKind.MASTODON,
        customer="liam",
        language="en",
        subject="Bikes on the NL5 at weekends?",
        days_ago=6,
        opened_at="18:50",
        status="solved",
        priority="low",
        team="travel",
        assignee="mehmet",
        tags=("fahrrad", "fahrplan", "nl5"),
        messages=(
            customer(
                0,
                "@nordlicht Hi! Planning a cycling weekend around Plön. Can I take my bike on "
                "the NL5 on Saturday morning, and do I need a reservation?",
            ),
            reply(
                "mehmet",
                38,
                "@liamw Hi Liam, yes! Bikes go in the multi-purpose areas of the first and last "
                "coach. No reservation needed, but you need a bike day ticket (5.50 EUR, in the "
                "app or at the machine). On sunny Saturdays the trains before 10 am fill up, so "
                "an early start helps. Enjoy Plön! ^MA",
            ),
            customer(61, "@nordlicht Brilliant, thanks! 🚲"),
        ),
    ),
    ConversationSpec(
        key="missed-connection-neumuenster",
        channel=ChannelKind.WEB_CHAT,
        customer="greta",
        language="de",
        subject="Anschluss in Neumünster verpasst",
        days_ago=0,
        opened_at="16:45",
        status="pending",
        priority="high",
        team="travel",
        assignee="lena",
        tags=("verspaetung", "anschluss", "nl1"),
        messages=(
            customer(
                0,
                "Hallo, mein NL1 aus Hamburg kam 20 Minuten zu spät in Neumünster an und der "
                "Anschluss nach Heide ist weg. Der nächste fährt erst in einer Stunde. Darf ich "
                "mit meinem Ticket auch einen anderen Zug oder den Bus nehmen?",
            ),
            reply(
                "lena",
                3,
                "Hallo Frau Lorenzen, hier ist Lena Krüger. Das tut mir leid! Da Sie mehr als "
                "20 Minuten später ankommen, dürfen Sie auch einen anderen Zug nehmen, sogar "
                "einen Fernverkehrszug. Das Ticket dafür kaufen Sie zunächst selbst, wir "
                "erstatten es über das Fahrgastrechte-Formular. Ein Bus nach Heide fährt leider "
                "erst in 50 Minuten.",
            ),
            customer(
                6,
                "Einen IC gibt es auf der Strecke gar nicht. Dann warte ich wohl. Bekomme ich "
                "wenigstens etwas zurück?",
            ),
            reply(
                "lena",
                9,
                "Wenn Sie in Heide 60 Minuten oder mehr zu spät ankommen, bekommen Sie 25 % des "
                "Fahrpreises zurück. Schicken Sie uns nach der Fahrt einfach Ihr Ticket über "
                "nordlicht.example.com/fahrgastrechte; ich habe mir Ihren Fall notiert, dann "
                "geht die Prüfung schneller. Gute Weiterfahrt!",
            ),
            note(
                "lena",
                11,
                "Anschlussverlust Neumünster, NL1 +20. Wenn der Fahrgastrechte-Antrag von Frau "
                "Lorenzen kommt, bitte auf diesen Fall verweisen und direkt freigeben.",
            ),
        ),
    ),
    ConversationSpec(
        key="double-day-ticket-app",
        channel=ChannelKind.X,
        customer="james",
        language="en",
        subject="Charged twice for one day ticket",
        days_ago=12,
        opened_at="13:14",
        status="solved",
        team="travel",
        assignee="mehmet",
        tags=("app", "doppelbuchung", "erstattung"),
        messages=(
            customer(
                0,
                "@NordlichtMobil just got charged twice for one day ticket in your app. Two "
                "payments of 14.20 on my card. Not impressed.",
            ),
            reply(
                "mehmet",
                20,
                "@jimoneill_dub Sorry about that, James! Please send us a DM with your booking "
                "code (it starts with NM-) and we'll sort it out. ^MA",
            ),
            customer(
                35,
                "Booking code NM-7X3K9. The second one is NM-7X3L2, both in the same minute.",
                visibility="private",
            ),
            reply(
                "mehmet",
                60,
                "Thanks, James! NM-7X3L2 was a duplicate: the app retried the payment after a "
                "timeout. I've cancelled it and refunded 14.20 EUR to your card; it can take "
                "3-5 working days to show up. Sorry for the hassle! ^MA",
                visibility="private",
            ),
            customer(75, "Cheers, appreciated.", visibility="private"),
        ),
    ),
    ConversationSpec(
        key="lost-backpack-nl1",
        channel=ChannelKind.TELEGRAM,
        customer="finn",
        language="de",
        subject="Rucksack im Zug vergessen",
        days_ago=20,
        opened_at="18:02",
        status="closed",
        team="travel",
        assignee="lena",
        tags=("fundsache", "nl1"),
        messages=(
            customer(
                0,
                "Hi, ich habe eben im NL1, der um 17:53 in Kiel angekommen ist, meinen Rucksack "
                "liegen lassen. Schwarz, mit einem Leuchtturm-Aufnäher, im letzten Wagen oben "
                "in der Gepäckablage. Mein Laptop ist drin 😰",
            ),
            reply(
                "lena",
                9,
                "Hallo Finn, hier ist Lena. Ich habe das Zugteam angerufen: Der Zug steht noch "
                "in Kiel Hbf und wird gleich durchgesehen. Ich melde mich in ein paar Minuten.",
            ),
            reply(
                "lena",
                27,
                "Gute Nachricht: Der Rucksack mit dem Leuchtturm-Aufnäher ist gefunden! Er "
                "liegt jetzt im Fundbüro im Reisezentrum Kiel Hbf, heute bis 20 Uhr geöffnet. "
                "Bitte bring deinen Ausweis mit und beschreib kurz, was drin ist.",
            ),
            customer(31, "Ihr seid die Besten!!! Bin in 10 Minuten da 🏃"),
        ),
    ),
    ConversationSpec(
        key="replacement-bus-wheelchair",
        channel=ChannelKind.WEB_FORM,
        customer="sabine",
        language="de",
        subject="Beschwerde: Ersatzbus nicht barrierefrei",
        days_ago=5,
        opened_at="19:40",
        status="pending",
        priority="high",
        team="travel",
        assignee="lena",
        tags=("ersatzverkehr", "barrierefreiheit", "beschwerde"),
        messages=(
            customer(
                0,
                "Anliegen: Beschwerde\n\n"
                "Am Samstag war ich mit meiner Mutter unterwegs, sie sitzt im Rollstuhl. Wegen "
                "Bauarbeiten fuhr zwischen Kiel und Eckernförde nur ein Ersatzbus. Der Bus "
                "hatte weder Rampe noch Lift, der Fahrer konnte uns nicht mitnehmen. Wir haben "
                "70 Euro für ein Rollstuhltaxi bezahlt. Auf Ihrer Website stand nirgends, dass "
                "der Ersatzverkehr nicht barrierefrei ist. Ich erwarte eine Erklärung und die "
                "Erstattung der Taxikosten.\n\nSabine Wolters",
            ),
            note(
                "lena",
                900,
                "Mit Förde-Reisen (SEV-Partner) telefoniert: Der barrierefreie Bus war Samstag "
                "ausgefallen, Ersatzfahrzeug ohne Rampe. Laut SEV-Vereinbarung hätte die Dispo "
                "ein Rollstuhltaxi stellen müssen. Taxikosten voll erstatten, Fall geht an "
                "Qualitätsmanagement.",
            ),
            reply(
                "lena",
                960,
                "Sehr geehrte Frau Wolters,\n\n"
                "es tut mir sehr leid, was Sie und Ihre Mutter am Samstag erlebt haben. Das "
                "hätte nicht passieren dürfen.\n\n"
                "Ich habe mit dem Busunternehmen gesprochen: Der barrierefreie Bus war am "
                "Samstag kurzfristig ausgefallen, als Ersatz fuhr ein Fahrzeug ohne Rampe. In so "
                "einem Fall muss unsere Disposition ein Rollstuhltaxi bereitstellen, und das ist "
                "nicht geschehen. Wir erstatten Ihnen die 70 Euro vollständig. Bitte schicken "
                "Sie uns dazu die Taxiquittung als Antwort auf diese E-Mail.\n\n"
                "Außerdem habe ich den Fall an unser Qualitätsmanagement gegeben: Bis zum Ende "
                "der Bauarbeiten wird ein barrierefreies Fahrzeug fest eingeplant, und die "
                "Baustellenhinweise auf unserer Website sagen künftig, ob der Ersatzverkehr "
                "barrierefrei ist.\n\n"
                "Mit freundlichen Grüßen\nLena Krüger\n"
                "Teamleitung Bahn & Reisen, Nordlicht Mobil",
                channel=ChannelKind.EMAIL,
            ),
        ),
    ),
    ConversationSpec(
        key="jobticket-request",
        channel=ChannelKind.WEB_FORM,
        customer="thomas",
        language="de",
        subject="Anfrage Jobticket für ca. 40 Mitarbeitende",
        days_ago=1,
        opened_at="15:20",
        status="open",
        tags=("geschaeftskunde", "jobticket"),
        messages=(
            customer(
                0,
                "Anliegen: Anfrage Firmenkunden\n"
                "Firma: Becker Haustechnik GmbH, Rendsburg\n"
                "Mitarbeitende: ca. 40\n\n"
                "Guten Tag, wir möchten unseren Mitarbeitenden ab dem nächsten Quartal ein "
                "Jobticket anbieten. Viele pendeln zwischen Rendsburg, Kiel und Neumünster. Gibt "
                "es bei Ihnen ein Firmenangebot auf Basis des Deutschlandtickets, und wie hoch "
                "müsste der Arbeitgeberzuschuss mindestens sein? Über einen Rückruf würde ich "
                "mich freuen.\n\nThomas Becker",
            ),
        ),
    ),
)
