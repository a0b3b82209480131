from tests.factories import ActionFactory


def test_staff_sees_their_action_on_my_actions(org, as_user):
    action = ActionFactory(organisation=org.organisation, owner=org.staff, title="Sweep floor")
    response = as_user(org.staff).get("/actions/mine/")
    assert response.status_code == 200
    assert action.title in response.content.decode()
