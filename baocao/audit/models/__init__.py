from baocao.audit.models.change_record import ChangeRecord

__all__ = ["ChangeRecord"]
