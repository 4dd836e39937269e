"""What a release does to the detentions it names: it ends them, once it is public.

Naming a detention in a release (a ReleasedDetention) ends the detention:
on the release's date, in its mode, in the custody its mode leaves (pardoned,
deported, sentence served, else released: custody_after()). That changes a
published record, so it takes effect only when the release is public: when an
Editor publishes it (Event.apply_transition), or names the detention in a
release already published. A draft, a Contributor's, changes nothing the
public sees. Retracting the release, or taking the detention out of the
published release, puts back what publishing changed, unless an editor has
recorded that release differently since. The row remembers whether it ended
its detention (ReleasedDetention.ended_detention).
"""

from tracker.models import Detention


def end_detention(named):
    """End the detention `named` names, if the editor has not recorded its end yet; True if it did."""
    detention, release = named.detention, named.release
    if detention.custody_status != Detention.CustodyStatus.HELD or detention.released_on:
        return False
    if detention.detained_on and release.occurred_on < detention.detained_on:
        return False  # dates that disagree are for the editor to sort out
    detention.custody_status, detention.release_mode = custody_after(named), release_mode(named)
    detention.released_on, detention.released_on_precision = release.occurred_on, release.occurred_on_precision
    detention._change_reason = f"named in the release “{release.title}”"
    detention.save()
    return True


def put_back(named, detention, why):
    """Undo end_detention() on `detention`, unless it no longer reads as `named`'s release ended it."""
    release = named.release
    detention.refresh_from_db()
    as_ended = (
        custody_after(named),
        release.occurred_on,
        release.occurred_on_precision,
        release_mode(named),
    )
    if (detention.custody_status, detention.released_on, detention.released_on_precision, detention.release_mode) != (
        as_ended
    ):
        return
    detention.custody_status, detention.release_mode = Detention.CustodyStatus.HELD, ""
    detention.released_on = None
    detention.released_on_precision = Detention._meta.get_field("released_on_precision").default
    detention._change_reason = f"{why} “{release.title}”"
    detention.save()


def _mode(named):
    """The main mode of the release `named` names (events.models.releases.main_mode; "" without one)."""
    return named.main_mode()


def release_mode(named):
    """How the release of `named` ends a detention (ReleasedDetention.DETENTION_RELEASE_MODES)."""
    return named.DETENTION_RELEASE_MODES.get(_mode(named), Detention.ReleaseMode.OTHER)


def custody_after(named):
    """The custody a detention ends in when the release of `named` ends it (ReleasedDetention.DETENTION_CUSTODY)."""
    return named.DETENTION_CUSTODY.get(_mode(named), Detention.CustodyStatus.RELEASED)
