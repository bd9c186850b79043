"""Stored mobile numbers in E.164 form, as the contact-preferences form now keeps them
(reflect/phone.py; docs/security.md, "Phone numbers").

The old form kept any Unicode digit, so a row may hold Arabic-Indic or fullwidth digits. Each
number the library reads as a UK mobile is rewritten in E.164 form; any other is left as it
was, for the person to correct (a text to it fails at GOV.UK Notify and shows on the failed
notifications page)."""

from django.db import migrations


def to_e164(apps, schema_editor):
    from reflect.phone import NotAMobileNumber, uk_mobile

    ContactPreferences = apps.get_model("reflect", "ContactPreferences")
    for preferences in ContactPreferences.objects.exclude(phone="").only("pk", "phone").iterator():
        try:
            e164 = uk_mobile(preferences.phone.strip())
        except NotAMobileNumber:
            continue
        if e164 != preferences.phone:
            ContactPreferences.objects.filter(pk=preferences.pk).update(phone=e164)


class Migration(migrations.Migration):
    dependencies = [("reflect", "0009_commissioner_approval")]

    operations = [migrations.RunPython(to_e164, migrations.RunPython.noop)]
