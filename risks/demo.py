def seed(organisation, users, rng):
    pass
