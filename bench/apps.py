from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Scale benchmarks: bulk seeding (`seed_bench`) and the page timer (`run_bench`)."""

    name = "bench"
    verbose_name = "isova benchmarks"
