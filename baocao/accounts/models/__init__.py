from baocao.accounts.models.delegation import Delegation
from baocao.accounts.models.user import User, UserRole

__all__ = ["Delegation", "User", "UserRole"]
