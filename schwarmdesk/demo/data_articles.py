"""Help-center articles of Nordlicht Mobil: 10 German, 6 English, five of them translation pairs.

Pure data; :mod:`schwarmdesk.demo.loader` writes them through the knowledge actions. Every
article is published; ``helpful`` holds the demo "Was this helpful?" answers (yes, no).
"""

from __future__ import annotations

from dataclasses import dataclass

from schwarmdesk.demo.data import Language


@dataclass(frozen=True, kw_only=True)
class CategorySpec:
    slug: str
    name: str
    name_en: str
    description: str
    description_en: str


@dataclass(frozen=True, kw_only=True)
class ArticleSpec:
    key: str
    category: str
    language: Language
    author: str  # an agent's username
    title: str
    body: str
    translation_of: str = ""  # the key of the article this one translates
    helpful: tuple[int, int] = (0, 0)


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        slug="rechnung-zahlung",
        name="Rechnung & Zahlung",
        name_en="Billing & payment",
        description="Rechnungen lesen, Zahlungsarten, Lastschrift und Rechnungsadresse.",
        description_en="Reading your bill, payment methods, direct debit and billing address.",
    ),
    CategorySpec(
        slug="internet-router",
        name="Internet & Router",
        name_en="Internet & router",
        description="DSL und Glasfaser, die Nordbox 7, WLAN und Störungen.",
        description_en="DSL and fibre, the Nordbox 7, Wi-Fi and outages.",
    ),
    CategorySpec(
        slug="mobilfunk-roaming",
        name="Mobilfunk & Roaming",
        name_en="Mobile & roaming",
        description="Tarife Flex S, M und L, eSIM und Telefonieren im Ausland.",
        description_en="Flex S, M and L plans, eSIM and using your phone abroad.",
    ),
    CategorySpec(
        slug="bahn-tickets",
        name="Bahn & Tickets",
        name_en="Trains & tickets",
        description="Linien NL1, NL3 und NL5: Verspätungen, Fahrgastrechte und Fundsachen.",
        description_en="Lines NL1, NL3 and NL5: delays, passenger rights and lost property.",
    ),
    CategorySpec(
        slug="app-konto",
        name="App & Konto",
        name_en="App & account",
        description="Die Nordlicht App, Handytickets und das Kundenportal „Mein Nordlicht“.",
        description_en="The Nordlicht app, mobile tickets and the “Mein Nordlicht” portal.",
    ),
    CategorySpec(
        slug="vertrag-umzug",
        name="Vertrag & Umzug",
        name_en="Contract & moving",
        description="Vertragsänderungen, Umzug mit dem Internetanschluss und Kündigung.",
        description_en="Contract changes, moving house with your connection, cancellation.",
    ),
)

ARTICLES: tuple[ArticleSpec, ...] = (
    ArticleSpec(
        key="rechnungsadresse",
        category="rechnung-zahlung",
        language="de",
        author="jonas",
        title="Rechnungsadresse ändern",
        helpful=(4, 1),
        body="""\
Ihre Rechnungsadresse ist die Anschrift, an die wir Rechnungen und Mahnungen schicken. Sie kann
sich von Ihrer Anschlussadresse (dort, wo Ihr Internet anliegt) unterscheiden.

## So ändern Sie die Rechnungsadresse

1. Melden Sie sich im Kundenportal **Mein Nordlicht** oder in der Nordlicht App an.
2. Öffnen Sie **Vertrag & Daten → Persönliche Daten**.
3. Wählen Sie bei „Rechnungsadresse“ **Bearbeiten**, geben Sie die neue Anschrift ein und
   speichern Sie.

Die Änderung gilt ab der nächsten Rechnung. Rechnungen, die schon erstellt sind, ändern wir
nicht nachträglich.

## Gut zu wissen

- **Umzug?** Wenn auch Ihr Internetanschluss umzieht, lesen Sie bitte „Umzug:
  Internetanschluss mitnehmen“. Die Rechnungsadresse allein verlegt keinen Anschluss.
- **Firmenkunden** (Business L) können zusätzlich eine Kostenstelle und eine
  Bestellnummer angeben; beides erscheint dann auf der Rechnung.
- Für die Änderung brauchen wir keinen Nachweis. Aus Sicherheitsgründen schicken wir Ihnen
  aber eine Bestätigung per E-Mail an Ihre hinterlegte Adresse.

Sie haben keinen Zugang zum Kundenportal? Schreiben Sie uns über das Kontaktformular; wir
ändern die Adresse nach einer kurzen Identitätsprüfung für Sie.
""",
    ),
    ArticleSpec(
        key="billing-address",
        category="rechnung-zahlung",
        language="en",
        author="jonas",
        title="Change your billing address",
        translation_of="rechnungsadresse",
        helpful=(2, 0),
        body="""\
Your billing address is where we send bills and payment reminders. It can differ from your
connection address (where your internet line is).

## How to change your billing address

1. Log in to the **Mein Nordlicht** customer portal or the Nordlicht app.
2. Open **Contract & details → Personal details**.
3. Next to “Billing address”, choose **Edit**, enter the new address and save.

The change applies from your next bill. Bills that have already been issued are not changed.

## Good to know

- **Moving house?** If your internet connection moves too, please read the article about
  moving. Changing the billing address alone does not move a connection.
- **Business customers** (Business L) can also add a cost centre and a purchase order number;
  both then appear on the bill.
- We do not need any proof for the change. For your security we send a confirmation e-mail to
  the address we have on file.

No access to the customer portal? Write to us through the contact form and we will change the
address for you after a short identity check.
""",
    ),
    ArticleSpec(
        key="sepa",
        category="rechnung-zahlung",
        language="de",
        author="jonas",
        title="SEPA-Lastschrift einrichten oder Bankverbindung ändern",
        helpful=(3, 0),
        body="""\
Mit dem SEPA-Lastschriftmandat buchen wir den Rechnungsbetrag bequem von Ihrem Konto ab, in der
Regel fünf Werktage nach Rechnungsdatum.

## Lastschrift einrichten oder IBAN ändern

1. Melden Sie sich bei **Mein Nordlicht** an und öffnen Sie **Rechnungen → Zahlungsart**.
2. Wählen Sie **SEPA-Lastschrift** und geben Sie Kontoinhaber und IBAN ein.
3. Bestätigen Sie das Mandat. Sie erhalten eine Mandatsreferenz per E-Mail.

Ändern Sie die IBAN bis spätestens **sieben Tage vor** dem nächsten Abbuchungstermin, damit die
neue Verbindung schon gilt. Sonst buchen wir noch ein letztes Mal vom alten Konto ab.

## Wenn eine Lastschrift zurückgeht

Bei einer Rücklastschrift (zum Beispiel wegen fehlender Deckung) berechnet uns die Bank eine
Gebühr, die wir weitergeben. Überweisen Sie den offenen Betrag dann bitte mit der
Rechnungsnummer als Verwendungszweck. Sperren wir nach mehreren Rücklastschriften den
Anschluss, schalten wir ihn nach Zahlungseingang innerhalb eines Werktags wieder frei.
""",
    ),
    ArticleSpec(
        key="sepa-en",
        category="rechnung-zahlung",
        language="en",
        author="jonas",
        title="Set up SEPA direct debit or change your bank details",
        translation_of="sepa",
        body="""\
With a SEPA direct debit mandate we collect the amount of your bill from your bank account,
usually five working days after the bill date.

## Set up direct debit or change your IBAN

1. Log in to **Mein Nordlicht** and open **Bills → Payment method**.
2. Choose **SEPA direct debit** and enter the account holder and IBAN.
3. Confirm the mandate. You receive a mandate reference by e-mail.

Change your IBAN at least **seven days before** the next collection date so that the new
account is used. Otherwise we collect from the old account one last time.

## When a direct debit is returned

If a debit is returned (for example for lack of funds), the bank charges us a fee, which we
pass on. Please then transfer the open amount with the bill number as the reference. If we
block a connection after several returned debits, we unblock it within one working day of
receiving the payment.
""",
    ),
    ArticleSpec(
        key="rechnung-verstehen",
        category="rechnung-zahlung",
        language="de",
        author="jonas",
        title="Ihre Rechnung verstehen: Posten, Zeiträume und Drittanbieter",
        helpful=(2, 2),
        body="""\
Ihre Monatsrechnung hat drei Teile: die **Grundgebühren** für den laufenden Monat, die
**Verbindungen** des Vormonats und gegebenenfalls **Leistungen von Drittanbietern**.

## Warum zwei Zeiträume?

Grundgebühren berechnen wir im Voraus, Verbindungen (zum Beispiel Gespräche ins Ausland)
im Nachhinein. Auf der ersten Rechnung nach Vertragsbeginn sehen Sie deshalb oft einen
anteiligen Monat zusätzlich.

## Drittanbieter

Posten unter „Leistungen Dritter“ sind Käufe, die über Ihre Mobilfunkrechnung bezahlt wurden,
etwa Abos aus Apps. Sie können die **Drittanbietersperre** kostenlos in **Mein Nordlicht →
Mobilfunk → Sperren** einschalten. Bei einem Posten, den Sie nicht kennen, widersprechen Sie
bitte innerhalb von acht Wochen; wir kümmern uns dann um die Klärung mit dem Anbieter.

## Einzelverbindungsnachweis

Den Nachweis aller Verbindungen schalten Sie im Kundenportal ein. Er gilt ab dem nächsten
Abrechnungszeitraum und wird mit gekürzten Zielnummern angezeigt.
""",
    ),
    ArticleSpec(
        key="router-neustart",
        category="internet-router",
        language="de",
        author="sophie",
        title="Nordbox 7 neu starten und Leuchtanzeigen verstehen",
        helpful=(5, 1),
        body="""\
Viele Störungen lassen sich mit einem Neustart der Nordbox 7 beheben. So geht es richtig:

1. Ziehen Sie das Netzteil der Nordbox aus der Steckdose.
2. Warten Sie **30 Sekunden**.
3. Stecken Sie das Netzteil wieder ein. Der Start dauert etwa drei Minuten; ziehen Sie das
   Kabel in dieser Zeit nicht erneut.

## Was die Leuchten bedeuten

| Leuchte | Zustand | Bedeutung |
|---|---|---|
| Power | grün | Die Box ist eingeschaltet. |
| Internet | grün | Die Verbindung steht. |
| Internet | blinkt grün | Die Box baut die Verbindung auf. |
| Internet | rot | Keine Verbindung zum Netz. |
| WLAN | blau | Das WLAN ist eingeschaltet. |

Leuchtet **Internet** auch zehn Minuten nach dem Neustart rot, prüfen Sie das Kabel zur
Glasfaser- oder DSL-Dose. Sehen Sie auf der Seite „Störungen“ nach, ob in Ihrer Gegend gerade
gearbeitet wird. Hilft beides nicht, melden Sie die Störung mit der Seriennummer von der
Unterseite der Box.

Setzen Sie die Box **nicht** auf Werkseinstellungen zurück, ohne mit uns zu sprechen: danach
müssen die Zugangsdaten neu eingegeben werden.
""",
    ),
    ArticleSpec(
        key="router-restart",
        category="internet-router",
        language="en",
        author="sophie",
        title="Restart your Nordbox 7 and understand its lights",
        translation_of="router-neustart",
        helpful=(2, 0),
        body="""\
Many problems go away when you restart the Nordbox 7. Here is how to do it properly:

1. Unplug the Nordbox power supply from the socket.
2. Wait **30 seconds**.
3. Plug the power supply back in. Starting takes about three minutes; do not unplug it again
   during that time.

## What the lights mean

| Light | State | Meaning |
|---|---|---|
| Power | green | The box is on. |
| Internet | green | The connection is up. |
| Internet | flashing green | The box is connecting. |
| Internet | red | No connection to the network. |
| Wi-Fi | blue | Wi-Fi is on. |

If **Internet** is still red ten minutes after the restart, check the cable to the fibre or
DSL socket, and look at the “Outages” page to see whether there is work in your area. If
neither helps, report the fault with the serial number from the bottom of the box.

Do **not** reset the box to factory settings without talking to us first: afterwards the
access details have to be entered again.
""",
    ),
    ArticleSpec(
        key="wlan-langsam",
        category="internet-router",
        language="de",
        author="sophie",
        title="WLAN langsam? So verbessern Sie den Empfang",
        helpful=(3, 1),
        body="""\
Wenn das Internet am Kabel schnell ist, aber im WLAN langsam, liegt es meist am Funk, nicht
an der Leitung. Diese Schritte helfen am häufigsten:

- **Standort:** Stellen Sie die Nordbox 7 frei und erhöht auf, nicht in einen Schrank oder
  hinter den Fernseher. Wände aus Beton und Fußbodenheizungen dämpfen das Signal stark.
- **5 GHz nutzen:** Verbinden Sie Geräte in der Nähe mit dem Netz, das auf „-5G“ endet. Es
  ist schneller, reicht aber weniger weit als 2,4 GHz.
- **Kanal wechseln:** Unter `http://nordbox.local` → **WLAN → Funkkanal** können Sie die
  automatische Kanalwahl neu starten. Das hilft in Mehrfamilienhäusern mit vielen Netzen.
- **Mesh:** Für große Wohnungen oder mehrere Etagen empfehlen wir einen Nordlicht
  Mesh-Repeater, den Sie in **Mein Nordlicht → Zubehör** bestellen können.

## Geschwindigkeit richtig messen

Messen Sie einmal mit einem Laptop **per Kabel** an der Box. Liegt der Wert deutlich unter
Ihrem Tarif (zum Beispiel unter 210 Mbit/s bei Glasfaser 300), melden Sie sich bitte bei uns:
dann prüfen wir die Leitung.
""",
    ),
    ArticleSpec(
        key="esim",
        category="mobilfunk-roaming",
        language="de",
        author="ole",
        title="eSIM auf dem Smartphone einrichten",
        helpful=(1, 1),
        body="""\
Alle Tarife Flex S, M und L sowie Business L gibt es auch als eSIM. Sie brauchen ein
eSIM-fähiges Smartphone und eine WLAN-Verbindung.

1. Bestellen Sie die eSIM in **Mein Nordlicht → Mobilfunk → SIM-Karte → eSIM**.
2. Sie erhalten einen **QR-Code** per E-Mail. Öffnen Sie ihn auf einem zweiten Bildschirm
   oder drucken Sie ihn aus.
3. Scannen Sie den Code in den Einstellungen Ihres Smartphones unter „Mobilfunk → eSIM
   hinzufügen“.

Der QR-Code funktioniert **nur einmal**. Wenn Sie das Handy wechseln oder die eSIM löschen,
bestellen Sie in Mein Nordlicht einen neuen Code; das ist einmal im Monat kostenlos.

Ihre alte physische SIM-Karte wird mit der Aktivierung der eSIM ungültig. Rufnummer und
Tarif bleiben gleich.
""",
    ),
    ArticleSpec(
        key="roaming",
        category="mobilfunk-roaming",
        language="en",
        author="sophie",
        title="Roaming in the EU",
        helpful=(3, 0),
        body="""\
In all countries of the European Union, and in Iceland, Liechtenstein and Norway, you use
your Nordlicht Mobil plan **abroad at no extra cost** (“roam like at home”): calls, texts and
data come out of your normal allowance.

## Before you travel

- Check that **data roaming** is switched on in your phone's settings.
- In the Nordlicht app you can see your remaining data volume at any time.

## Fair use

For a long stay abroad, EU rules allow a fair-use limit on data. With Flex S and Flex M you
can use up to 15 GB per month in other EU countries; Flex L and Business L have no limit.
After four months with more use abroad than at home, we may contact you.

## Outside the EU

Switzerland, the United Kingdom and Turkey are **not** covered. There you pay per use unless
you book a travel option (for example “Reisepaket Welt 2 GB”) in the app before you go.

## No mobile data abroad?

Restart your phone, and choose a partner network manually under “Network operator”. If it
still does not work, write to us with the country and the network name shown on your phone.
""",
    ),
    ArticleSpec(
        key="verspaetung",
        category="bahn-tickets",
        language="de",
        author="lena",
        title="Entschädigung bei Verspätung oder Zugausfall beantragen",
        helpful=(6, 2),
        body="""\
Kommen Sie mit einem Zug der Linien NL1, NL3 oder NL5 **mindestens 60 Minuten** später am
Ziel an, erhalten Sie 25 % des Fahrpreises zurück, ab 120 Minuten 50 %. Das gilt auch für
Zeitkarten mit einer pauschalen Entschädigung.

## So beantragen Sie die Entschädigung

1. Öffnen Sie in der Nordlicht App **Tickets → Fahrt melden** oder das Fahrgastrechte-Formular
   auf unserer Website.
2. Geben Sie Datum, Zugnummer und die tatsächliche Ankunftszeit an.
3. Laden Sie ein Foto Ihres Tickets hoch (Handytickets sind schon verknüpft).

Wir überweisen die Entschädigung in der Regel innerhalb von zwei Wochen. Anträge sind bis zu
**ein Jahr** nach der Fahrt möglich.

## Letzter Zug fällt aus

Fällt die letzte planmäßige Verbindung des Tages aus und kommen Sie sonst nicht vor Mitternacht
ans Ziel, erstatten wir ein Taxi bis 80 €. Bewahren Sie die Quittung auf und reichen Sie sie
mit dem Antrag ein.
""",
    ),
    ArticleSpec(
        key="delay",
        category="bahn-tickets",
        language="en",
        author="mehmet",
        title="Claim compensation for a delayed or cancelled train",
        translation_of="verspaetung",
        helpful=(2, 0),
        body="""\
If a train on lines NL1, NL3 or NL5 gets you to your destination **at least 60 minutes**
late, you get 25 % of the fare back, and 50 % from 120 minutes. Season tickets receive a flat
compensation.

## How to claim

1. In the Nordlicht app open **Tickets → Report a journey**, or use the passenger rights form
   on our website.
2. Enter the date, the train number and the time you actually arrived.
3. Upload a photo of your ticket (mobile tickets are linked already).

We usually pay within two weeks. You can claim up to **one year** after the journey.

## The last train is cancelled

If the last scheduled connection of the day is cancelled and you could not otherwise reach
your destination before midnight, we refund a taxi up to €80. Keep the receipt and add it to
your claim.
""",
    ),
    ArticleSpec(
        key="fundsachen",
        category="bahn-tickets",
        language="de",
        author="mehmet",
        title="Etwas im Zug vergessen? So finden Sie Fundsachen",
        helpful=(2, 0),
        body="""\
Fundsachen aus unseren Zügen bringt das Zugpersonal am Ende der Fahrt zum **Fundbüro am
Kieler Hauptbahnhof**. Dort werden sie drei Monate aufbewahrt.

## Verlust melden

Melden Sie den Verlust möglichst schnell über das Kontaktformular oder die Nordlicht App.
Geben Sie an:

- Datum, Linie und ungefähre Uhrzeit der Fahrt,
- den Wagen oder Sitzplatz, wenn Sie ihn noch wissen,
- eine genaue Beschreibung (Farbe, Marke, Inhalt).

Wir gleichen Ihre Meldung täglich mit den Fundstücken ab und melden uns, sobald etwas passt.

## Abholen oder zuschicken

Sie holen Fundsachen mit einem Ausweis im Fundbüro ab. Auf Wunsch schicken wir sie Ihnen
gegen eine Gebühr von 7,50 € zu. Ausweise und Bankkarten geben wir aus Datenschutzgründen
nach zwei Wochen an die ausstellende Stelle weiter.
""",
    ),
    ArticleSpec(
        key="handyticket",
        category="app-konto",
        language="de",
        author="ole",
        title="Handyticket in der Nordlicht App kaufen",
        helpful=(4, 0),
        body="""\
Mit der Nordlicht App kaufen Sie Einzel-, Tages- und Wochentickets für alle unsere Linien
direkt auf dem Smartphone.

1. Öffnen Sie die App und tippen Sie auf **Ticket kaufen**.
2. Wählen Sie Start und Ziel, zum Beispiel *Kiel Hbf → Plön*, und die Ticketart.
3. Bezahlen Sie mit PayPal, Kreditkarte oder über Ihre Nordlicht-Mobilfunkrechnung.

Das Ticket liegt danach unter **Meine Tickets** und funktioniert auch **ohne
Internetverbindung**. Zeigen Sie bei der Kontrolle den QR-Code mit voller Helligkeit.

## Ticket wird nicht angezeigt?

Ziehen Sie die Liste „Meine Tickets“ nach unten, um sie neu zu laden. Erscheint das Ticket
auch nach fünf Minuten nicht, sehen Sie in Ihrem E-Mail-Postfach nach: Jede Buchung wird
zusätzlich mit einer Bestätigung verschickt, die als Fahrschein gilt.

Ein Handyticket kann bis zum Beginn der Gültigkeit in der App storniert werden.
""",
    ),
    ArticleSpec(
        key="mobile-ticket",
        category="app-konto",
        language="en",
        author="ole",
        title="Buy a mobile ticket in the Nordlicht app",
        translation_of="handyticket",
        body="""\
With the Nordlicht app you buy single, day and week tickets for all our lines right on your
smartphone.

1. Open the app and tap **Buy ticket**.
2. Choose where you start and where you go, for example *Kiel Hbf → Plön*, and the ticket
   type.
3. Pay with PayPal, a credit card or through your Nordlicht mobile bill.

The ticket is then under **My tickets** and works **without an internet connection**. Show
the QR code at full screen brightness when your ticket is checked.

## The ticket does not show up?

Pull down the “My tickets” list to reload it. If the ticket still does not appear after five
minutes, look in your e-mail inbox: every booking is also sent as a confirmation, which is a
valid ticket.

A mobile ticket can be cancelled in the app until it becomes valid.
""",
    ),
    ArticleSpec(
        key="umzug",
        category="vertrag-umzug",
        language="de",
        author="jonas",
        title="Umzug: Internetanschluss mitnehmen",
        helpful=(1, 1),
        body="""\
Sie ziehen um? Ihren Internetvertrag nehmen Sie in der Regel einfach mit, wenn Nordlicht Mobil
an der neuen Adresse verfügbar ist.

## Rechtzeitig melden

Melden Sie den Umzug **mindestens sechs Wochen vorher** in **Mein Nordlicht → Vertrag →
Umzug**. Wir prüfen die Verfügbarkeit und schlagen Ihnen einen Schalttermin vor. Ist an der
neuen Adresse nur ein langsamerer Tarif möglich, wechseln Sie ohne Gebühr in diesen Tarif.

## Was kostet der Umzug?

Der Umzug selbst ist kostenlos. Muss ein Techniker einen Glasfaseranschluss neu einrichten,
berechnen wir einmalig 49 €.

## Kein Anschluss an der neuen Adresse?

Können wir am neuen Wohnort keinen Anschluss liefern, dürfen Sie den Vertrag nach § 60 TKG mit
einer Frist von einem Monat kündigen. Legen Sie dazu bitte eine Meldebestätigung bei.

Vergessen Sie nicht, auch Ihre **Rechnungsadresse** zu ändern, falls sie sich mit dem Umzug
ändert.
""",
    ),
)
