"""``dae totp USER``: the current code of a demo or test account's authenticator (never use on real accounts:
their secrets live only in the person's authenticator app)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from dae.security.otp import current_code


class Command(BaseCommand):
    help = "显示演示账号身份验证器的当前验证码 (the current TOTP code of a demo account)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        device = TOTPDevice.objects.filter(user__username=options["username"], confirmed=True).order_by("-id").first()
        if device is None:
            raise CommandError(f"用户 {options['username']} 没有已启用的身份验证器 (no authenticator)")
        self.stdout.write(current_code(device))
