import rules

from sharewise.audittrail import readers


@rules.predicate
def may_read_trail(user):
    """Who may read the trail is decided by roles, which live above this app: the
    app that holds them answers through readers.may_read_trail."""
    return user.is_authenticated and readers.may_read_trail(user)


rules.add_perm("audittrail.search_trail", may_read_trail)
