from django.core import mail

from isova import demo
from isova.models import Notification


def test_seeding_the_demo_sends_no_email_but_keeps_notifications(
    db, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    assert mail.outbox == []
    assert Notification.objects.exists()
    assert not Notification.objects.filter(sent_at=None).exists()
