"""The leaders' weekly briefing e-mail reads on a phone (390 px): nothing to scroll sideways,
and every link is words, never a bare address."""

import datetime

from django.core import mail

from isova.models import Notification
from isova.notifications import alerts
from isova.notifications import services as notifications
from tests.factories import ActionFactory

PHONE = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
LINKS = "() => [...document.querySelectorAll('a')].map(a => [a.textContent, a.href])"


def test_the_briefing_fits_a_phone_and_links_words(db, org, browser, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://quality-management.hartwell-precision-engineering.example.org"
    monday = datetime.date(2026, 6, 8)
    for n in range(3):
        ActionFactory(
            organisation=org.organisation,
            owner=org.staff,
            assigned_by=org.leader,
            title="Recalibrate every torque wrench in the assembly cell and record the results "
            f"against the calibration register ({n})",
            due_date=monday - datetime.timedelta(days=20 + n),
        )
    alerts.scan(org.organisation, monday)
    note = Notification.objects.get(kind="weekly_briefing", recipient=org.leader)
    mail.outbox.clear()
    notifications.deliver(note.pk)
    html = mail.outbox[0].alternatives[0][0]

    context = browser.new_context(viewport=PHONE, is_mobile=True)
    try:
        page = context.new_page()
        page.set_content(html)
        assert page.evaluate(OVERFLOW) <= 0
        links = page.evaluate(LINKS)
        assert len(links) >= 5
        assert all(text.strip() and not text.strip().startswith("http") for text, _ in links)
        assert all(href.startswith(settings.SITE_URL) for _, href in links)
        assert page.get_by_role("heading", name="Needs you").is_visible()
    finally:
        context.close()
