"""``dae demo``: generate the demo city, load it (once), create the demo log-ins and print them."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Sum

from dae.accounts.models import User
from dae.accounts.posts import Post
from dae.catalog.models import Hospital
from dae.claims.models import Settlement
from dae.core.models import Event
from dae.demo.loader import load_city
from dae.demo.payouts import demo_payouts
from dae.demo.users import DEMO_LOGINS, DEMO_PASSWORD, REGION_A, REGION_B, create_demo_users


class Command(BaseCommand):
    help = "生成并加载演示城市数据，创建各岗位演示账号 (generate and load the demo city, create demo log-ins)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--persons", type=int, default=100_000, help="参保人数 (insured persons)")
        parser.add_argument("--hospitals", type=int, default=60)
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument("--year", type=int, default=2025,
                            help="演示年度：默认为已结束的上一完整年度，便于演示全年月结、拨款、对账和清算")
        parser.add_argument("--no-plants", action="store_true", dest="no_plants",
                            help="不埋入审核违规样例，生成干净的演示城市 (generate the clean city, without the planted "
                                 "audit violations)")

    def handle(self, *args: Any, **options: Any) -> None:
        if Event.objects.filter(action="demo.loaded").exists():
            self.stdout.write("演示数据已存在，跳过生成 (demo city already loaded)")
        else:
            self._generate_and_load(options)
        if not Event.objects.filter(action="demo.finance").exists():
            self._run_finance()
        hospital, psn_no = self._demo_bindings()
        create_demo_users(hospital, psn_no)
        self._enrol_two_factor()
        if not Event.objects.filter(action="demo.audit").exists():
            self._run_audit()
        if not Event.objects.filter(action="demo.archives").exists():
            self._run_archives()
        # in-hospital monitoring (issue 23)
        if not Event.objects.filter(action="monitoring.demo").exists():
            from dae.monitoring.demo import seed_demo as seed_monitoring

            self.stdout.write(f"驻院监控 (in-hospital monitoring): {seed_monitoring()}")
        # exchange with the medical insurance platform (issue 22): reconcile every month with the simulator
        if not Event.objects.filter(action="demo.exchange").exists():
            from dae.exchange.demo import run_in_demo

            run_in_demo(self.stdout)
        # 参保人服务 (issue 18)
        if not Event.objects.filter(action="demo.service").exists():
            self._run_service()
        # statistics and reports (issue 16): three earlier years of settlements, the signed demo reports
        if not Event.objects.filter(action="reports.demo_history").exists():
            self._run_reports()
        # fund forecasting and warnings (issue 17)
        if not Event.objects.filter(action="demo.forecast").exists():
            self._run_forecast()
        self._print_logins(hospital, psn_no)

    def _generate_and_load(self, options: dict[str, Any]) -> None:
        from dae.demo.generator import generate_city
        from dae.demo.plants import DEFAULT_PLANTS

        started = time.monotonic()
        self.stdout.write(f"生成演示城市 (generating): {options['persons']:,} 参保人, seed {options['seed']} …")
        plants = () if options.get("no_plants") else DEFAULT_PLANTS
        city = generate_city(seed=options["seed"], persons=options["persons"], hospitals=options["hospitals"],
                             year=options["year"], plants=plants)
        self.stdout.write(f"  已生成 (generated) in {time.monotonic() - started:.1f}s"
                          + (f", 埋入审核违规样例 (planted audit cases) {len(city.planted):,}" if plants else ""))
        books = self._install_rules(city)
        payouts = demo_payouts(city, books)
        paid = sum(1 for amount in payouts.values() if amount > 0)
        self.stdout.write(f"  大额赔付已计算 (payouts computed): {paid:,} 笔大于零, {time.monotonic() - started:.1f}s")

        def progress(label: str, done: int, total: int) -> None:
            bar = "#" * (30 * done // max(total, 1))
            self.stdout.write(f"\r  {label:<24} [{bar:<30}] {done:>9,}/{total:,}", ending="")
            if done == total:
                self.stdout.write("")

        counts = load_city(city, progress, payouts)
        self._city = city
        self.stdout.write(f"已加载 (loaded) in {time.monotonic() - started:.1f}s: "
                          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        from dae.demo.audit_data import write_truth
        from dae.demo.loader import truth_path
        from dae.demo.plants import DEFAULT_RATES

        path = write_truth(city, truth_path(), rates=DEFAULT_RATES if plants else {})
        self.stdout.write(f"  埋点真值 (planted ground truth): {path}")

    def _run_finance(self) -> None:
        """The demo year's money (statements, payments, appropriations, reconciliation), all or nothing."""
        from django.db import transaction

        from dae.core.events import record_event
        from dae.demo.finance import run_finance_year

        loaded = Event.objects.filter(action="demo.loaded").order_by("-id").first()
        if loaded is None:
            return
        started = time.monotonic()

        def progress(label: str, done: int, total: int) -> None:
            bar = "#" * (30 * done // max(total, 1))
            self.stdout.write(f"\r  {label:<24} [{bar:<30}] {done:>9,}/{total:,}", ending="")
            if done == total:
                self.stdout.write("")

        year = int(loaded.after["year"])
        regions = sorted(set(Settlement.objects.order_by().values_list("region_id", flat=True).distinct()))
        with transaction.atomic():
            money = run_finance_year(regions, year, progress=progress)
            record_event(None, "demo.finance", object_type="demo.city", object_id=str(loaded.after.get("seed")),
                         after={"year": year, "regions": regions,
                                "statements": {r: f["statements"] for r, f in money.items()}})
        for region, figures in money.items():
            fund = figures["fund"]
            self.stdout.write(f"  {region}: 月结单 {figures['statements']} 张, 筹集资金 {fund['funds_raised']} 元, "
                              f"利润率 {fund['profit_rate']}%, 日结 {figures['bank'].get('days_closed', 0)} 天")
        self.stdout.write(f"基金财务年度已运行 (finance year run) in {time.monotonic() - started:.1f}s")

    def _run_audit(self) -> None:
        """The demo year's audit (智能审核): the demo's rule parameters, a year run per region, a few findings
        through the workflow, the inspection and credit demo records; scored against the planted truth when the
        city was generated in this run (else ``dae audit_quality`` scores it)."""
        from django.db import transaction

        from dae.auditing.demo import seed_demo, stored_findings
        from dae.core.events import record_event
        from dae.credit.demo import seed_demo as seed_credit
        from dae.inspection.demo import seed_demo as seed_inspection

        loaded = Event.objects.filter(action="demo.loaded").order_by("-id").first()
        if loaded is None:
            return
        year = int(loaded.after["year"])
        started = time.monotonic()
        manager = User.objects.filter(post=Post.MANAGER).order_by("pk").first()
        result = seed_demo(year, manager)
        inspection = seed_inspection(year, manager)
        credit = seed_credit(year, manager)
        with transaction.atomic():
            record_event(None, "demo.audit", object_type="demo.city", object_id=str(loaded.after.get("seed")),
                         after={"year": year, **result, "inspection": str(inspection), "credit": str(credit)})
        self.stdout.write(f"智能审核 (audit): 审核批次 {result['runs']}, 疑点 {result['findings']:,} 个, "
                          f"in {time.monotonic() - started:.1f}s")
        city = getattr(self, "_city", None)
        if city is not None and city.planted:
            from dae.demo.audit_data import format_scores, score

            self.stdout.write(format_scores(score(stored_findings(result["runs"]), city)))
        else:
            self.stdout.write("  埋点查全率与查准率 (recall and precision): dae audit_quality")

    def _run_archives(self) -> None:
        """The demo's archive (档案): closed objects of every kind archived, loans (one overdue), a hold, one
        destruction list approved and executed, yesterday's log-chain anchors."""
        from django.db import transaction

        from dae.archives.demo import seed_demo
        from dae.core.events import record_event

        loaded = Event.objects.filter(action="demo.loaded").order_by("-id").first()
        if loaded is None:
            return
        started = time.monotonic()
        regions = sorted(set(Settlement.objects.order_by().values_list("region_id", flat=True).distinct()))
        result = seed_demo(int(loaded.after["year"]), regions)
        with transaction.atomic():
            record_event(None, "demo.archives", object_type="demo.city", object_id=str(loaded.after.get("seed")),
                         after=result)
        self.stdout.write(f"档案 (archives): 归档 {result['archived']} 件, 检测未通过 {result['failed']} 件, "
                          f"销毁清册 {result['destruction']}, in {time.monotonic() - started:.1f}s")

    def _run_service(self) -> None:
        """参保人服务 (issue 18): knowledge base, consultations, complaints (one overdue, one extended), a closed
        survey with its analysis, templates and a campaign."""
        from django.db import transaction

        from dae.core.events import record_event
        from dae.service.demo import seed_demo

        loaded = Event.objects.filter(action="demo.loaded").order_by("-id").first()
        if loaded is None:
            return
        started = time.monotonic()
        result = seed_demo(int(loaded.after["year"]))
        with transaction.atomic():
            record_event(None, "demo.service", object_type="demo.city", object_id=str(loaded.after.get("seed")),
                         after=result)
        self.stdout.write(f"参保人服务 (service): 咨询 {result['consultations']}, 投诉举报 {result['cases']}, "
                          f"短信 {result['sms_queued']}, in {time.monotonic() - started:.1f}s")

    # fund forecasting and warnings (issue 17)
    def _run_forecast(self) -> None:
        """The demo's forecasts and warnings (基金预测预警) from the stored history (``dae.forecast.demo``)."""
        from django.db import transaction

        from dae.core.events import record_event
        from dae.forecast.demo import seed_demo

        loaded = Event.objects.filter(action="demo.loaded").order_by("-id").first()
        if loaded is None:
            return
        started = time.monotonic()
        manager = User.objects.filter(post=Post.MANAGER).order_by("pk").first()
        regions = sorted(set(Settlement.objects.order_by().values_list("region_id", flat=True).distinct()))
        result = seed_demo(regions, manager, int(loaded.after["year"]))
        with transaction.atomic():
            record_event(None, "demo.forecast", object_type="demo.city", object_id=str(loaded.after.get("seed")),
                         after=result)
        self.stdout.write(f"基金预测预警 (forecast): 预测 {result['runs']} 次, 模型 {result['models']}, "
                          f"预警 {result['alerts']} 条, in {time.monotonic() - started:.1f}s")

    def _install_rules(self, city: Any) -> dict[str, Any]:
        """The default rule set for each demo region (installed once); returns each region's rule book."""
        from dae.benefits.actions import do_install_default
        from dae.benefits.queries import rulebook_for
        from dae.core.models import Region

        names = {REGION_A: ("huadian-dae", "桦甸市职工大额医疗费用补助"), REGION_B: ("jiaohe-dae", "蛟河市职工大额医疗费用补助")}
        books = {}
        for r in city.regions:
            region, _ = Region.objects.get_or_create(admdvs=r.admdvs, defaults={"name": r.name})
            ruleset_code, name = names[r.admdvs]
            books[r.admdvs] = rulebook_for(do_install_default(region, code=ruleset_code, name=name).ruleset)
        return books

    def _demo_bindings(self) -> tuple[Hospital, str]:
        busiest = (Settlement.objects.filter(region_id=REGION_A).values("hospital_id")
                   .annotate(n=Count("id")).order_by("-n", "hospital_id").first())
        if busiest is None:
            raise CommandError("演示数据中没有结算记录 (the demo city has no settlements)")
        top = (Settlement.objects.filter(region_id=REGION_A).values("psn_no")
               .annotate(total=Sum("inscp_scp_amt")).order_by("-total", "psn_no").first())
        assert top is not None
        return Hospital.objects.get(pk=busiest["hospital_id"]), top["psn_no"]

    def _enrol_two_factor(self) -> None:
        """The posts that sign in with a second factor get an authenticator whose secret is printed (and whose
        current code ``dae totp USER`` shows), so the demo stays usable; real accounts enrol on the page."""
        from dae.security.otp import enrol_known_secret
        from dae.security.policy import two_factor_required
        from dae.security.testing import known_secret

        for login in DEMO_LOGINS:
            if two_factor_required(login.post):
                user = User.objects.get(username=login.username)
                enrol_known_secret(user, known_secret(user.username))

    def _print_logins(self, hospital: Hospital, psn_no: str) -> None:
        self.stdout.write("")
        self.stdout.write(f"演示账号 (demo log-ins) — 密码 (password): {DEMO_PASSWORD}")
        for login in DEMO_LOGINS:
            extra = {Post.HOSPITAL: f" · {hospital.name}", Post.INSURED: f" · {psn_no}"}.get(Post(login.post), "")
            self.stdout.write(f"  {login.username:<11} {Post(login.post).label}{extra}")
        from base64 import b32encode

        from dae.security.policy import two_factor_required
        from dae.security.testing import known_secret

        self.stdout.write("双因素认证 (two-factor sign-in) — 验证码 (code): dae totp USER，或把密钥加入身份验证器 "
                          "(or add the secret to an authenticator app):")
        for login in DEMO_LOGINS:
            if two_factor_required(login.post):
                secret = b32encode(bytes.fromhex(known_secret(login.username))).decode()
                self.stdout.write(f"  {login.username:<11} {secret}")

    # statistics and reports (issue 16)
    def _run_reports(self) -> None:
        """Three earlier years of settlements (no fee lines) for year-on-year figures and forecasts, and the
        demo year's quarterly and annual analysis reports of the first region, signed off."""
        from dae.reports.demo import seed_evaluation, seed_history, seed_reports

        loaded = Event.objects.filter(action="demo.loaded").order_by("-id").first()
        if loaded is None:
            return
        started = time.monotonic()
        year = int(loaded.after["year"])
        added = seed_history(year)
        regions = sorted(set(Settlement.objects.order_by().values_list("region_id", flat=True).distinct()))
        reports = seed_reports(year, REGION_A if REGION_A in regions else regions[0])
        evaluation = seed_evaluation(year, REGION_A if REGION_A in regions else regions[0])  # 年度考核, published
        self.stdout.write(f"统计 (statistics): 历史结算 {added} 笔 ({year - 3}–{year - 1}), 运行分析报告 {len(reports)} 份, "
                          f"年度考核 {evaluation.scores.count() if evaluation else 0} 家, "
                          f"in {time.monotonic() - started:.1f}s")
