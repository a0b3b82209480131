"""Owner and approver pickers show each person's role, so a manager picks a leader to approve."""

from isova.actions.forms import ActionForm
from isova.models import Membership, Role


def test_the_owner_picker_names_each_member_with_their_role_in_this_organisation(org, other_org):
    # The manager is staff elsewhere: the picker shows the role here.
    Membership.objects.create(
        user=org.manager, organisation=other_org.organisation, role=Role.STAFF
    )
    labels = [
        label for _, label in ActionForm(organisation=org.organisation).fields["owner"].choices
    ]
    assert "Acme Leader (leader)" in labels
    assert "Acme Manager (manager)" in labels
    assert "Acme Staff (staff)" in labels


def test_the_new_action_page_shows_roles_in_the_owner_picker(org, as_user):
    html = as_user(org.manager).get("/actions/new/").content.decode()
    assert "Acme Auditor (auditor)</option>" in html
