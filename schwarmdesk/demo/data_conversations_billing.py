"""Demo cases about invoices, direct debits, moving house and cancelling contracts."""

from __future__ import annotations

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.demo.data import ConversationSpec, customer, note, reply

DAY = 24 * 60  # minutes

BILLING_CONVERSATIONS: tuple[ConversationSpec, ...] = (
    ConversationSpec(
        key="double-direct-debit",
        channel=ChannelKind.EMAIL,
        customer="thomas",
        language="de",
        subject="Doppelte Abbuchung der Monatsrechnung",
        days_ago=14,
        opened_at="09:03",
        status="pending",
        priority="high",
        team="tech",
        assignee="jonas",
        tags=("abrechnung", "sepa", "doppelbuchung"),
        messages=(
            customer(
                0,
                "Guten Tag,\n\n"
                "auf unserem Geschäftskonto sehe ich zwei Lastschriften von Nordlicht Mobil über "
                "je 89,97 € mit demselben Verwendungszweck (Rechnung 2231-0458). Das ist die "
                "Rechnung für unsere drei Mobilfunkkarten und den Glasfaseranschluss im Büro. "
                "Bitte erstatten Sie den doppelten Betrag umgehend; ich möchte die Lastschrift "
                "nicht bei der Bank zurückgeben müssen.\n\n"
                "Thomas Becker\nBecker Haustechnik GmbH, Rendsburg\nKundennummer 20077131",
                html="<p>Guten Tag,</p>"
                "<p>auf unserem Geschäftskonto sehe ich zwei Lastschriften von Nordlicht Mobil "
                "über je 89,97 € mit demselben Verwendungszweck (Rechnung 2231-0458). Das ist "
                "die Rechnung für unsere drei Mobilfunkkarten und den Glasfaseranschluss im "
                "Büro. Bitte erstatten Sie den doppelten Betrag umgehend; ich möchte die "
                "Lastschrift nicht bei der Bank zurückgeben müssen.</p>"
                "<p><strong>Thomas Becker</strong><br>Becker Haustechnik GmbH, Rendsburg<br>"
                "Kundennummer 20077131</p>"
                '<p style="color:#888"><small>Diese E-Mail wurde mit Outlook für Android '
                "gesendet.</small></p>",
            ),
            note(
                "jonas",
                48,
                "Zahlungslauf von Montag geprüft: Die Lastschrift zu 2231-0458 wurde nach einem "
                "Timeout beim Zahlungsdienstleister zweimal eingereicht. Betrifft laut "
                "Buchhaltung 14 Kunden, Sammelrückerstattung läuft (FIN-2231). Herr Becker ist "
                "VIP, bitte nicht warten lassen.",
            ),
            reply(
                "jonas",
                62,
                "Guten Tag Herr Becker,\n\n"
                "Sie haben recht: Die Lastschrift zur Rechnung 2231-0458 wurde wegen eines "
                "technischen Fehlers bei unserem Zahlungsdienstleister zweimal eingereicht. Das "
                "tut mir leid.\n\n"
                "Wir überweisen Ihnen die doppelt eingezogenen 89,97 € zurück; das Geld ist in "
                "spätestens fünf Werktagen auf Ihrem Konto. Bitte geben Sie die Lastschrift "
                "nicht bei Ihrer Bank zurück, sonst entstehen Rücklastschriftgebühren.\n\n"
                "Ich melde mich, sobald die Überweisung raus ist.\n\n"
                "Viele Grüße\nJonas Petersen\nAbrechnung, Nordlicht Mobil",
            ),
            customer(
                125,
                "Danke für die schnelle Rückmeldung. Ich schaue Ende nächster Woche auf das "
                "Konto.\n\nT. Becker",
            ),
            reply(
                "jonas",
                2 * DAY + 70,
                "Guten Tag Herr Becker,\n\n"
                "die Rückerstattung über 89,97 € ist heute an Ihre Bank gegangen "
                "(Verwendungszweck „Erstattung 2231-0458“). Ich lasse den Fall offen, bis Sie "
                "den Eingang bestätigen.\n\n"
                "Viele Grüße\nJonas Petersen",
            ),
        ),
    ),
    ConversationSpec(
        key="move-to-eckernfoerde",
        channel=ChannelKind.FACEBOOK,
        customer="sabine",
        language="de",
        subject="Umzug nach Eckernförde: DSL mitnehmen, Rechnungsadresse",
        days_ago=12,
        opened_at="20:41",
        status="solved",
        team="tech",
        assignee="jonas",
        tags=("umzug", "dsl", "rechnungsadresse"),
        messages=(
            customer(
                0,
                "Hallo, wir ziehen Ende des Monats von Kiel nach Eckernförde. Kann ich meinen "
                "DSL-Vertrag mitnehmen, und wie ändere ich die Rechnungsadresse? Kundennummer "
                "30155904.",
                visibility="private",
            ),
            reply(
                "jonas",
                14 * 60,
                "Hallo Frau Wolters, danke für Ihre Nachricht! Die Rechnungsadresse können Sie "
                "selbst im Kundenportal unter „Meine Daten“ ändern. Für den Anschluss brauche "
                "ich die neue Adresse, dann prüfe ich die Verfügbarkeit. Vorab: In Eckernförde "
                "haben wir an vielen Adressen Glasfaser. ^JP",
                visibility="private",
            ),
            customer(
                15 * 60,
                "Neue Adresse ist Am Sandkrug 9, 24340 Eckernförde, Einzug am 28. Glasfaser "
                "nehmen wir gern, wenn es nicht mehr kostet.",
                visibility="private",
            ),
            reply(
                "jonas",
                25 * 60,
                "Verfügbarkeit bestätigt: Glasfaser 300 für 39,99 € im Monat, also genau so "
                "viel wie Ihr DSL 100 heute. Ich habe den Umzug zum 28. eingetragen, den "
                "Techniker-Termin bekommen Sie per E-Mail. Ihre Vertragslaufzeit ändert sich "
                "nicht. Viel Freude im neuen Zuhause! ^JP",
                visibility="private",
            ),
            customer(26 * 60, "Danke, das ging ja fix 👍", visibility="private"),
        ),
    ),
    ConversationSpec(
        key="business-cancellation",
        channel=ChannelKind.EMAIL,
        customer="peter",
        language="de",
        subject="Kündigung Geschäftskundenvertrag (12 Mobilfunkkarten)",
        days_ago=8,
        opened_at="14:02",
        status="pending",
        priority="high",
        team="tech",
        assignee="jonas",
        tags=("kuendigung", "geschaeftskunde", "rueckgewinnung"),
        messages=(
            customer(
                0,
                "Sehr geehrte Damen und Herren,\n\n"
                "hiermit kündige ich den Geschäftskundenvertrag der Kanzlei Lindemann & Partner "
                "(Kundennummer 10009342) mit allen zwölf Mobilfunkkarten fristgerecht zum "
                "nächstmöglichen Zeitpunkt. Die Rufnummern nehmen wir zu einem anderen Anbieter "
                "mit.\n\n"
                "Zum Hintergrund: Wir zahlen seit Jahren mehr als Neukunden, und unsere Anfrage "
                "nach besseren Konditionen im Frühjahr blieb unbeantwortet.\n\n"
                "Bitte bestätigen Sie mir die Kündigung schriftlich mit dem Datum des "
                "Vertragsendes.\n\n"
                "Mit freundlichen Grüßen\nDr. Peter Lindemann\n"
                "Lindemann & Partner Rechtsanwälte, Kiel",
            ),
            note(
                "jonas",
                35,
                "VIP, Kunde seit über sechs Jahren, 12 Karten Business L, rund 540 € im Monat. "
                "Vertragsende laut System: Ende des übernächsten Monats. Die Anfrage aus dem "
                "Frühjahr finde ich nicht, vermutlich im alten Postfach untergegangen. "
                "@Lena: Dürfen wir ein Angebot machen?",
            ),
            note(
                "lena",
                80,
                "Ja: Business L für alle 12 Karten mit 20 % Rabatt für 24 Monate, dazu 20 GB "
                "mehr pro Karte. Kündigung trotzdem sauber bestätigen, Angebot nur als Option, "
                "bitte nicht drängeln.",
            ),
            reply(
                "jonas",
                120,
                "Sehr geehrter Herr Dr. Lindemann,\n\n"
                "vielen Dank für Ihre Nachricht; Ihre Kündigung haben wir erhalten. Der Vertrag "
                "endet mit Ablauf der Mindestlaufzeit am letzten Tag des übernächsten Monats. "
                "Bis dahin bleiben alle zwölf Rufnummern aktiv und können zu Ihrem neuen "
                "Anbieter mitgenommen werden. Die schriftliche Bestätigung erhalten Sie "
                "zusätzlich per Post.\n\n"
                "Dass Ihre Anfrage aus dem Frühjahr unbeantwortet blieb, bedauere ich sehr. "
                "Falls Sie es sich noch einmal überlegen möchten: Wir bieten Ihnen für alle "
                "zwölf Karten 20 % Rabatt auf Business L für 24 Monate und 20 GB zusätzliches "
                "Datenvolumen pro Karte. Das Angebot gilt bis zum Vertragsende; eine kurze "
                "Antwort auf diese E-Mail genügt.\n\n"
                "Mit freundlichen Grüßen\nJonas Petersen\n"
                "Geschäftskundenservice, Nordlicht Mobil",
            ),
            customer(
                2 * DAY + 40,
                "Sehr geehrter Herr Petersen,\n\n"
                "danke für die Bestätigung und das Angebot. Ich bespreche das mit meinen "
                "Partnern und melde mich bis Ende der Woche.\n\n"
                "Mit freundlichen Grüßen\nP. Lindemann",
            ),
        ),
    ),
    ConversationSpec(
        key="wrong-invoice-price",
        channel=ChannelKind.WEB_FORM,
        customer="priya",
        language="en",
        subject="Wrong price on my invoice",
        days_ago=11,
        opened_at="21:15",
        status="solved",
        team="tech",
        assignee="jonas",
        tags=("abrechnung", "rechnung", "glasfaser"),
        messages=(
            customer(
                0,
                "Topic: Invoice\n\n"
                "Hello, my latest invoice charges 49.99 EUR for Glasfaser 300, but when I signed "
                "up in your shop in Kiel I was promised 29.99 EUR for the first 12 months. This "
                "is only my third month. Customer number 30512277. Could you please correct "
                "it?\n\nThanks, Priya Raman",
            ),
            reply(
                "jonas",
                16 * 60,
                "Dear Ms Raman,\n\n"
                "thank you for spotting this, and sorry for the trouble. You are right: the "
                "introductory price of 29.99 EUR was agreed in the shop but never entered in "
                "our billing system. I have corrected your contract and issued a credit note "
                "for 20.00 EUR, which will be set off against your next invoice. Until the end "
                "of your twelfth month you will be billed 29.99 EUR.\n\n"
                "Kind regards,\nJonas Petersen\nBilling, Nordlicht Mobil",
                channel=ChannelKind.EMAIL,
            ),
            customer(
                25 * 60,
                "Great, thank you for sorting this out so quickly!\n\nPriya",
                channel=ChannelKind.EMAIL,
            ),
        ),
    ),
    ConversationSpec(
        key="sepa-new-bank",
        channel=ChannelKind.EMAIL,
        customer="charlotte",
        language="de",
        subject="Neue Bankverbindung für die Lastschrift",
        days_ago=9,
        opened_at="16:48",
        status="solved",
        priority="low",
        team="tech",
        assignee="jonas",
        tags=("sepa", "abrechnung"),
        messages=(
            customer(
                0,
                "Hallo,\n\n"
                "ich habe die Bank gewechselt. Wie kann ich die Bankverbindung für die "
                "Lastschrift ändern? Soll ich Ihnen die neue IBAN einfach per E-Mail "
                "schicken?\n\n"
                "Danke und viele Grüße\nCharlotte Weber",
            ),
            reply(
                "jonas",
                120,
                "Hallo Frau Weber,\n\n"
                "bitte schicken Sie uns Ihre Bankdaten nicht per E-Mail. Am schnellsten und "
                "sichersten geht es im Kundenportal unter „Meine Daten > Zahlungsweise“: Dort "
                "tragen Sie die neue IBAN ein und erteilen das SEPA-Lastschriftmandat direkt "
                "online. Änderungen bis zum 20. eines Monats gelten schon für die nächste "
                "Rechnung.\n\n"
                "Viele Grüße\nJonas Petersen\nAbrechnung, Nordlicht Mobil",
            ),
            customer(300, "Erledigt, hat geklappt. Danke für den Hinweis!\n\nC. Weber"),
        ),
    ),
    ConversationSpec(
        key="cancel-mobile-contract",
        channel=ChannelKind.WEB_FORM,
        customer="greta",
        language="de",
        subject="Kündigung Mobilfunkvertrag Flex S",
        days_ago=7,
        opened_at="13:26",
        status="solved",
        team="tech",
        assignee="jonas",
        tags=("kuendigung", "mobilfunk", "rufnummernmitnahme"),
        messages=(
            customer(
                0,
                "Anliegen: Kündigung\n"
                "Kundennummer: 30294417\n"
                "Tarif: Nordlicht Flex S\n\n"
                "Hiermit kündige ich meinen Mobilfunkvertrag zum nächstmöglichen Termin. Ich "
                "möchte meine Rufnummer mitnehmen.\n\nGreta Lorenzen",
            ),
            reply(
                "jonas",
                180,
                "Hallo Frau Lorenzen,\n\n"
                "wir bestätigen den Eingang Ihrer Kündigung für den Tarif Nordlicht Flex S. Ihr "
                "Vertrag endet mit Ablauf der Mindestlaufzeit; das genaue Datum steht in der "
                "schriftlichen Bestätigung, die wir Ihnen per Post schicken.\n\n"
                "Ihre Rufnummer nehmen Sie mit, indem Sie Ihren neuen Anbieter mit der "
                "Rufnummernmitnahme beauftragen; den Rest klären die Anbieter untereinander. "
                "Bei uns ist die Mitnahme kostenlos.\n\n"
                "Schade, dass Sie gehen! Falls es am Preis lag: Ab nächstem Monat gibt es Flex "
                "S mit doppeltem Datenvolumen. Schreiben Sie uns gern, wenn Sie das "
                "interessiert.\n\n"
                "Viele Grüße\nJonas Petersen\nNordlicht Mobil",
                channel=ChannelKind.EMAIL,
            ),
            customer(
                2 * DAY + 10,
                "Danke für die schnelle Bestätigung. Am Preis lag es nicht, ich bekomme ein "
                "Diensthandy. Alles Gute!\n\nGreta Lorenzen",
                channel=ChannelKind.EMAIL,
            ),
        ),
    ),
    ConversationSpec(
        key="move-to-luebeck",
        channel=ChannelKind.EMAIL,
        customer="sarah",
        language="en",
        subject="Moving to Lübeck - new billing address",
        days_ago=17,
        opened_at="11:05",
        status="closed",
        priority="low",
        team="tech",
        assignee="lena",
        tags=("umzug", "rechnungsadresse"),
        messages=(
            customer(
                0,
                "Hi there,\n\n"
                "I'm moving from Kiel to Lübeck next month. I only have a mobile contract with "
                "you (Flex M), so nothing needs to be installed, but I'd like my invoices to go "
                "to the new address: Mühlenweg 3, 23552 Lübeck. Could you change it from the "
                "1st? Also, can I get my invoices by e-mail only from now on?\n\n"
                "Thanks,\nSarah Mitchell",
            ),
            reply(
                "lena",
                300,
                "Hi Sarah,\n\n"
                "thanks for letting us know, and good luck with the move! I've changed your "
                "billing address to Mühlenweg 3, 23552 Lübeck from the 1st of next month and "
                "switched you to e-mail invoices; they'll come to this address as a PDF. In "
                "future you can change both yourself in the customer portal under 'My "
                "details'.\n\n"
                "Best regards,\nLena Krüger\nCustomer Service, Nordlicht Mobil",
            ),
            customer(420, "Perfect, thank you!\n\nSarah"),
        ),
    ),
    ConversationSpec(
        key="fibre-credit-missing",
        channel=ChannelKind.EMAIL,
        customer="kai",
        language="de",
        subject="Gutschrift für den Glasfaser-Ausfall fehlt",
        days_ago=2,
        opened_at="09:50",
        status="open",
        team="tech",
        tags=("gutschrift", "stoerung", "glasfaser"),
        messages=(
            customer(
                0,
                "Moin,\n\n"
                "letzte Woche war unser Glasfaser in Kiel-Gaarden fast einen ganzen Tag weg "
                "(Kabelschaden). Auf Mastodon hieß es, die Gutschrift käme automatisch. Auf der "
                "Rechnung, die gestern kam, finde ich aber nichts. Kommt das noch, oder muss "
                "ich das beantragen?\n\n"
                "Gruß\nKai Jensen",
            ),
            note(
                "sophie",
                95,
                "Gehört zu INC-0915. Die Gutschriften laufen erst mit dem Monatslauf, die "
                "Rechnung von gestern war noch davor. Wer aus Abrechnung kann Herrn Jensen das "
                "kurz bestätigen?",
            ),
        ),
    ),
)
