from sharewise.training.yours import things_to_do


def navigation(request):
    """The header's Your training link, with how many things wait (one query), for
    staff with a case role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "identity_step", None):
        return {}
    if not user.has_perm("training.practise"):
        return {}
    return {"training_link": True, "training_todo": things_to_do(user)}
