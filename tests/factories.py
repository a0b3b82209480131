import datetime

import factory
from django.utils import timezone

from isova.models import Action, Membership, Organisation, Role, User

PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    timezone = "Europe/London"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.STAFF


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    assigned_by = None
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


def member(organisation: Organisation, role: str, **kwargs) -> User:
    """A user who belongs to `organisation` with `role`."""
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory(**kwargs)).user
