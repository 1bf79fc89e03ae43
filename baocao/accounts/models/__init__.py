from baocao.accounts.models.user import User, UserRole

__all__ = ["User", "UserRole"]
