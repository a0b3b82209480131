"""Key the sign-off chain: each hash becomes an HMAC-SHA256 with a key held outside the database.

Existing chains are re-hashed once, here, with the current key (RECORDS_HMAC_KEYS, or the
key derived from SECRET_KEY): a chain is re-hashed only if it verifies under the old,
unkeyed SHA-256 first. A chain that does not is left as it was (no key id), so
`verify_records` keeps reporting it instead of this migration laundering the tampering.

The append-only triggers are switched off for the re-hash and on again: this is the one
place that rewrites sign-offs, and it runs as the database owner during `migrate`.
"""

import datetime
import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64
TRIGGERS = (
    ("isova_signoff", "isova_signoff_append_only"),
    ("isova_signoffchain", "isova_signoffchain_extend_only"),
)


def _payload(signoff, ct) -> bytes:
    data = {
        "organisation": signoff.organisation_id,
        "sequence": signoff.sequence,
        "record": f"{ct.app_label}.{ct.model}:{signoff.object_id}",
        "record_label": signoff.record_label,
        "version": signoff.version_number,
        "signer": {
            "id": signoff.signer_id,
            "name": signoff.signer_name,
            "email": signoff.signer_email,
            "role": signoff.signer_role,
        },
        "meaning": signoff.meaning,
        "comment": signoff.comment,
        "signed_at": signoff.signed_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "snapshot": signoff.snapshot,
        "previous_hash": signoff.previous_hash,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _set_triggers(schema_editor, enabled: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    verb = "ENABLE" if enabled else "DISABLE"
    with schema_editor.connection.cursor() as cursor:
        for table, trigger in TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER {trigger}")


def rekey(apps, schema_editor):
    SignOff = apps.get_model("isova", "SignOff")
    SignOffChain = apps.get_model("isova", "SignOffChain")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not SignOff.objects.exists():
        return
    key_id = settings.RECORDS_HMAC_KEY_ID
    key = settings.RECORDS_HMAC_KEYS[key_id]
    types = {ct.pk: ct for ct in ContentType.objects.all()}
    _set_triggers(schema_editor, enabled=False)
    try:
        for chain in SignOffChain.objects.all():
            rows = list(SignOff.objects.filter(organisation_id=chain.organisation_id).order_by("sequence"))
            previous, intact = GENESIS, True
            for position, row in enumerate(rows, start=1):
                legacy = hashlib.sha256(_payload(row, types[row.content_type_id])).hexdigest()
                if row.sequence != position or row.previous_hash != previous or legacy != row.hash:
                    intact = False
                    break
                previous = row.hash
            if not intact or previous != chain.last_hash or len(rows) != chain.length:
                print(f"\n  sign-off chain of organisation {chain.organisation_id} does not verify:"
                      " left unkeyed, verify_records will report it")
                continue
            previous = GENESIS
            for row in rows:
                row.previous_hash = previous
                row.key_id = key_id
                row.hash = hmac.new(key, _payload(row, types[row.content_type_id]), hashlib.sha256).hexdigest()
                row.save(update_fields=["previous_hash", "key_id", "hash"])
                previous = row.hash
            SignOffChain.objects.filter(pk=chain.pk).update(last_hash=previous)
    finally:
        _set_triggers(schema_editor, enabled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("isova", "0011_health_thresholds"),
    ]

    operations = [
        migrations.AddField(
            model_name="signoff",
            name="key_id",
            field=models.CharField(
                default="", help_text="Which RECORDS_HMAC_KEYS key made `hash`.", max_length=32
            ),
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop, elidable=False),
    ]
