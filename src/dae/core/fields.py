"""Field helpers: every money column is DECIMAL(16,2), the national interface's 16,2."""

from __future__ import annotations

from typing import Any

from django.db import models


def MoneyField(verbose_name: Any, **kwargs: Any) -> models.DecimalField:  # noqa: N802 - reads like a field class
    kwargs.setdefault("max_digits", 16)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)


def PercentField(verbose_name: Any, **kwargs: Any) -> models.DecimalField:  # noqa: N802 - reads like a field class
    """A rate in percent with two places (3.85 = 3.85 %), read from people by ``core.inputs.percent``."""
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **kwargs)
class EncryptedCharField(models.CharField):  # type: ignore[type-arg]
    """A text field stored encrypted (``core.crypto``): encrypted on every write (save, bulk_create, update and
    ``core.bulk.insert_rows``), decrypted on read; ``max_length`` bounds the plain text, the column is TEXT.
    Search by equality goes through a ``BlindIndexField``; lookups on the ciphertext itself are refused."""

    def db_type(self, connection: Any) -> str | None:
        return connection.data_types["TextField"] % {}  # type: ignore[no-any-return]

    def cast_db_type(self, connection: Any) -> str | None:
        return self.db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        from .crypto import decrypt

        return decrypt(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        from .crypto import encrypt

        value = super().get_db_prep_value(value, connection, prepared)
        return encrypt(value) if isinstance(value, str) else value

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ("isnull",):
            raise TypeError(f"{self.name} is encrypted: search by its keyed hash (BlindIndexField), not '{lookup_name}'")
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """The keyed hash (HMAC-SHA256) of another field's plain value, kept on every save and bulk insert."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        from .crypto import blind_index

        value = blind_index(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
