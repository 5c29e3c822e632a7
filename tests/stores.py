"""Small helpers for the store tests: a promise as an agreement, and the open ones."""

from dialogs.engine import (
    AddAgreement,
    Agreement,
    AgreementKind,
    AgreementStatus,
    Decision,
    FollowUpAgreement,
    Outcome,
    Profile,
)


def promise(partner: str, text: str) -> AddAgreement:
    return AddAgreement(AgreementKind.PROMISE, partner, text, "promises")


def kept_and_done(agreement_id: int) -> FollowUpAgreement:
    """Followed up as kept, and let go: it is not asked about again."""
    return FollowUpAgreement(agreement_id, Outcome.KEPT, Decision.LET_GO)


def open_agreements(profile: Profile) -> list[Agreement]:
    return [a for a in profile.agreements if a.status is AgreementStatus.OPEN]
